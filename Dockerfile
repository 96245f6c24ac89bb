# kyodo in a container (Debian bookworm-slim). Build and run:
#   docker build -t kyodo .
#   docker run --rm -p 8080:8080 -v kyodo-data:/var/lib/kyodo kyodo
#   docker run --rm -p 8080:8080 -v kyodo-data:/var/lib/kyodo -v "$PWD/drills:/drills:ro" kyodo \
#       serve /drills/my-drill.lua --host 0.0.0.0 --db /var/lib/kyodo/journal.db --resume=auto --log-json
# The join URLs are on the container's stdout (`docker logs`), once. docs/operations.md has the rest.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config help2man \
      libsdl2-dev libsdl2-ttf-dev libwebsockets-dev liblua5.4-dev libjansson-dev libsqlite3-dev libpng-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j"$(nproc)" && make install PREFIX=/usr/local DESTDIR=/stage

FROM debian:bookworm-slim
# The runtime libraries kyodo links (tests/sh/test_install.sh checks this list against the binary), the fonts the
# replay viewer draws with (IPA Gothic for Japanese text), and sqlite3 for backups of the journal
# (sqlite3 journal.db ".backup copy.db").
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libsdl2-2.0-0 libsdl2-ttf-2.0-0 libwebsockets17 libcap2 liblua5.4-0 libjansson4 libsqlite3-0 libpng16-16 \
      fonts-dejavu-core fonts-ipafont-gothic sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/kyodo --create-home --shell /usr/sbin/nologin kyodo
COPY --from=build /stage/usr/local /usr/local
USER kyodo
WORKDIR /var/lib/kyodo
VOLUME /var/lib/kyodo
EXPOSE 8080
# kyodo serve stops cleanly on SIGTERM (docker stop): the journal is flushed, browsers get a close frame.
ENTRYPOINT ["kyodo"]
CMD ["serve", "/usr/local/share/kyodo/scenarios/tcu-remote.lua", "--host", "0.0.0.0", "--port", "8080", \
     "--db", "/var/lib/kyodo/journal.db", "--resume=auto", "--log-json"]
