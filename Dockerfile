# syntax=docker/dockerfile:1
#
# h4 in a container, with the compression core mounted at run time (see the
# Deployment section of the HarmonyØ4 core ABI specification).
#
#   docker build -t h4 .                                        # the h4 image
#   docker build --target cores --output type=local,dest=./core .   # the cores
#
# The image holds h4 only. A core is mounted read-only at /core and found
# through HARMONY4_CORE_PATH=/core/libh4core.so; when nothing is mounted there,
# h4 warns once per run and uses its built-in reference engine.
#
# Needs BuildKit (the default builder since Docker 23) for the cache mounts
# and for --output.

# The crates need Rust 1.88 or newer (libloading 0.9, edition 2024).
ARG RUST_IMAGE=rust:1-slim-bookworm
# Keep the same Debian release as RUST_IMAGE: the binaries need its glibc.
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------
# build: h4 and both project cores, exactly as pinned by Cargo.lock.
FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
# target/ is a cache mount (kept between builds, not part of the layer), so
# the results are copied out to /out before the step ends.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p h4-cli -p h4-core-reference -p h4-core-zstd \
    && mkdir -p /out/bin /out/cores \
    && cp target/release/h4 /out/bin/h4 \
    && cp target/release/libh4_core_reference.so \
          target/release/libh4_core_zstd.so /out/cores/

# ---------------------------------------------------------------------------
# cores: only the two shared libraries, for
#   docker build --target cores --output type=local,dest=./core .
# which writes ./core/libh4_core_reference.so and ./core/libh4_core_zstd.so.
FROM scratch AS cores
COPY --from=build /out/cores/ /

# ---------------------------------------------------------------------------
# runtime (the default target): h4 alone, as a non-root user.
FROM ${RUNTIME_IMAGE} AS runtime
RUN groupadd --system --gid 10001 h4 \
    && useradd --system --uid 10001 --gid h4 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin h4 \
    && mkdir -p /core /data \
    && chown h4:h4 /data
COPY --from=build /out/bin/h4 /usr/local/bin/h4
# Mount a core here read-only: -v "$PWD/core:/core:ro"
ENV HARMONY4_CORE_PATH=/core/libh4core.so
VOLUME ["/core"]
WORKDIR /data
USER 10001:10001
ENTRYPOINT ["h4"]
CMD ["--help"]
