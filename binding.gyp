{
  "targets": [
    {
      "target_name": "autolykos",
      "sources": [
        "native/autolykos/napi.c",
        "native/autolykos/cpu.c",
        "native/autolykos/autolykos.c",
        "native/autolykos/blake2b_scalar.c",
        "native/autolykos/blake2b_avx2.c",
        "native/autolykos/blake2b_avx512.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=gnu11", "-fvisibility=hidden"],
      "cflags!": ["-O2", "-march=native"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CFLAGS": ["-std=gnu11"],
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES"
      }
    }
  ]
}
