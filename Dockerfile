# EnigmaPool: one image for every role (start --role stratum|accounting|api|all, or api).
# Build: docker build -t enigmapool .   (no Docker engine: deploy/podman/build-image.sh)
ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginx:1.26-bookworm

# Build stage: `npm ci` compiles the native Autolykos kernel (node-gyp) and builds the website (web/dist).
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/enigmapool
# A CA bundle for a TLS-intercepting egress proxy between the build and npm's registry (none by default).
ARG NODE_EXTRA_CA_CERTS
# node-gyp compiles against the headers next to node (no download); the kernel must build, never fall back.
ENV npm_config_nodedir=/usr/local AUTOLYKOS_REQUIRE_NATIVE=1 npm_config_fund=false npm_config_audit=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json binding.gyp tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY native ./native
COPY web ./web
COPY src ./src
# npm ci also compiles src/ to dist/ (plain node at run time, no tsx).
RUN npm ci && npm prune --omit=dev && npm cache clean --force

# NGINX with the website built above and the recipe of deploy/nginx (docker-compose.yml: target nginx).
# The official image fills the template's ${POOL_*} from the environment at start.
FROM ${NGINX_IMAGE} AS nginx
RUN rm -f /etc/nginx/conf.d/default.conf
COPY --from=build /opt/enigmapool/web/dist /usr/share/nginx/enigmapool
COPY deploy/nginx/enigmapool.conf.template /etc/nginx/templates/enigmapool.conf.template

# Runtime stage (the default target): node_modules without dev dependencies, the kernel, the website and
# the compiled dist/, as the unprivileged user enigmapool.
FROM ${NODE_IMAGE} AS runtime
RUN groupadd --system enigmapool \
 && useradd --system --gid enigmapool --home-dir /var/lib/enigmapool --shell /usr/sbin/nologin enigmapool \
 && install -d -o enigmapool -g enigmapool -m 0750 /var/lib/enigmapool
WORKDIR /opt/enigmapool
COPY --from=build /opt/enigmapool/node_modules ./node_modules
COPY --from=build /opt/enigmapool/build/Release/autolykos.node ./build/Release/autolykos.node
COPY --from=build /opt/enigmapool/web/dist ./web/dist
COPY package.json ./
COPY bin ./bin
COPY scripts/dist-state.mjs ./scripts/dist-state.mjs
# src/ before dist/: bin/enigmapool runs dist/ only while nothing under src/ is newer than the build.
COPY --from=build /opt/enigmapool/src ./src
COPY --from=build /opt/enigmapool/dist ./dist
RUN touch dist/.built
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs
ENV NODE_ENV=production \
    ENIGMAPOOL_DATADIR=/var/lib/enigmapool \
    ENIGMAPOOL_API__HOST=0.0.0.0 \
    ENIGMAPOOL_LOG__FORMAT=json
USER enigmapool
VOLUME /var/lib/enigmapool
# stratum, API and website, /metrics of the roles without the API (api.metrics.port)
EXPOSE 3052 8080 9100
# The API's /api/v1/health (or /metrics for stratum and accounting: `healthcheck.mjs metrics`), with
# node's fetch: no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/opt/enigmapool/deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["/opt/enigmapool/bin/enigmapool"]
CMD ["start"]
