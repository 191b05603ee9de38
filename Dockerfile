# syntax=docker/dockerfile:1
# guestsync in a container: a multi-stage build (Rust toolchain only in the builder) and a small
# Debian runtime with a non-root user, the binary and config/default.toml.
#
#   docker build -t guestsync .
#   docker run --rm -p 8080:8080 -v guestsync-state:/var/lib/guestsync \
#     -e GUESTSYNC__SOURCE__URL=... -e GUESTSYNC__AUTH__CLIENT_SECRET=... guestsync
#
# Configure with GUESTSYNC__SECTION__KEY variables or mount a file at /etc/guestsync/guestsync.toml.
# SIGTERM (docker stop) stops a cycle in progress, stops the workers and releases their leases.

FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
# Everything the build reads: the manifests (Cargo.toml declares the benches), the sources, and
# the config and migrations the binary embeds.
COPY Cargo.toml Cargo.lock ./
COPY benches benches
COPY src src
COPY config config
COPY migrations migrations
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN cargo build --release --locked --bin guestsync

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 guestsync \
    && useradd --system --uid 10001 --gid guestsync --home-dir /var/lib/guestsync \
       --shell /usr/sbin/nologin guestsync \
    && install -d -o guestsync -g guestsync -m 0750 /var/lib/guestsync
COPY --from=builder /src/target/release/guestsync /usr/local/bin/guestsync
COPY config/default.toml /etc/guestsync/guestsync.toml
USER guestsync:guestsync
WORKDIR /var/lib/guestsync
# The state store (SQLite by default) lives in the volume; JSON logs on stderr; the status page,
# probes and metrics on every interface of the container.
ENV GUESTSYNC_CONFIG=/etc/guestsync/guestsync.toml \
    GUESTSYNC__STATE__URL=sqlite:///var/lib/guestsync/guestsync.db \
    GUESTSYNC__HTTP__LISTEN=0.0.0.0:8080 \
    GUESTSYNC__LOG__FORMAT=json
VOLUME ["/var/lib/guestsync"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
    CMD ["guestsync", "health"]
ENTRYPOINT ["guestsync"]
CMD ["run"]
