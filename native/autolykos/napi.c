/*
 * Node-API glue (plain C, no node-addon-api). Exports:
 *   hits(msgs: Uint8Array(32n), nonces: Uint8Array(8n), heights: Uint32Array(n),
 *        ns: Uint32Array(n), out: Uint8Array(32n), kernel: 0 best | 1 scalar | 2 avx2 | 3 avx512)
 *   kernels(): string[]            available kernels, best first
 *   blake2b256(data: Uint8Array): Uint8Array(32)
 * Inputs are read in place (napi_get_typedarray_info); hits() allocates nothing. Context-aware
 * (NAPI_MODULE_INIT), so worker threads may each load it; all state is immutable.
 */
#include <stdio.h>

#include <node_api.h>

#include "autolykos.h"

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL; /* an exception is already pending */                     \
  } while (0)

static const char *const kArgNames[] = {"msgs", "nonces", "heights", "ns", "out", "kernel"};

/* Reads argument idx as a typed array of the wanted type; throws a TypeError otherwise. */
static int get_array(napi_env env, napi_value v, size_t idx, napi_typedarray_type want,
                     void **data, size_t *length) {
  bool is_ta = false;
  napi_typedarray_type type;
  char msg[96];
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok) return 0;
  if (is_ta && napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok)
    return 0;
  if (!is_ta || type != want) {
    snprintf(msg, sizeof msg, "autolykos.hits: %s must be a %s", kArgNames[idx],
             want == napi_uint8_array ? "Uint8Array" : "Uint32Array");
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return 0;
  }
  return 1;
}

static napi_value hits(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  char msg[160];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS",
                          "autolykos.hits(msgs, nonces, heights, ns, out, kernel) takes 6 arguments");
    return NULL;
  }
  static const napi_typedarray_type kTypes[5] = {napi_uint8_array, napi_uint8_array,
                                                 napi_uint32_array, napi_uint32_array,
                                                 napi_uint8_array};
  void *data[5];
  size_t len[5];
  for (size_t i = 0; i < 5; i++)
    if (!get_array(env, argv[i], i, kTypes[i], &data[i], &len[i])) return NULL;

  napi_valuetype vt;
  double kd;
  CHECK(napi_typeof(env, argv[5], &vt));
  if (vt != napi_number) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "autolykos.hits: kernel must be a number");
    return NULL;
  }
  CHECK(napi_get_value_double(env, argv[5], &kd));
  if (!(kd >= 0 && kd <= 3) || kd != (double)(int)kd) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE",
                           "autolykos.hits: kernel must be 0 (best), 1 (scalar), 2 (avx2) or 3 "
                           "(avx512)");
    return NULL;
  }

  size_t n = len[2];
  if (len[0] != 32 * n || len[1] != 8 * n || len[3] != n || len[4] != 32 * n) {
    snprintf(msg, sizeof msg,
             "autolykos.hits: for %zu heights need msgs %zu, nonces %zu, ns %zu, out %zu "
             "elements; got %zu, %zu, %zu, %zu",
             n, 32 * n, 8 * n, n, 32 * n, len[0], len[1], len[3], len[4]);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
    return NULL;
  }
  const uint32_t *ns = data[3];
  for (size_t k = 0; k < n; k++) {
    if (ns[k] == 0) {
      snprintf(msg, sizeof msg, "autolykos.hits: ns[%zu] is 0 (N must be positive)", k);
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
      return NULL;
    }
  }

  const ak_kernel *kern = ak_kernel_get((int)kd);
  if (kern == NULL) {
    static const char *const names[] = {"best", "scalar", "avx2", "avx512"};
    snprintf(msg, sizeof msg, "autolykos.hits: kernel %d (%s) is not available on this CPU",
             (int)kd, names[(int)kd]);
    napi_throw_error(env, "ERR_AUTOLYKOS_KERNEL_UNAVAILABLE", msg);
    return NULL;
  }
  if (n > 0) ak_hits(kern, data[0], data[1], data[2], ns, data[4], n);
  return NULL; /* undefined */
}

static napi_value kernels(napi_env env, napi_callback_info info) {
  (void)info;
  const char *names[3];
  size_t count = ak_kernel_names(names);
  napi_value arr, s;
  CHECK(napi_create_array_with_length(env, count, &arr));
  for (size_t i = 0; i < count; i++) {
    CHECK(napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &s));
    CHECK(napi_set_element(env, arr, (uint32_t)i, s));
  }
  return arr;
}

static napi_value blake2b256(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ab, result;
  bool is_ta = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void *data = NULL, *outp = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1) CHECK(napi_is_typedarray(env, argv[0], &is_ta));
  if (is_ta) CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL));
  if (!is_ta || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "autolykos.blake2b256: data must be a Uint8Array");
    return NULL;
  }
  CHECK(napi_create_arraybuffer(env, 32, &outp, &ab));
  ak_blake2b256(length ? data : (const uint8_t *)"", length, outp);
  CHECK(napi_create_typedarray(env, napi_uint8_array, 32, ab, 0, &result));
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"hits", NULL, hits, NULL, NULL, NULL, napi_enumerable, NULL},
      {"kernels", NULL, kernels, NULL, NULL, NULL, napi_enumerable, NULL},
      {"blake2b256", NULL, blake2b256, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok)
    return NULL;
  return exports;
}
