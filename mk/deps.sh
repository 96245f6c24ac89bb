#!/bin/sh
# Installs what kyodo needs on a Debian machine, only when it is missing; quiet when nothing is.
# Usage: sh mk/deps.sh build|man|test|bench  (man: what `make man` and `make install` need besides the build)
set -eu
what=${1:-build}
missing=""

need_pkg() { # $1 pkg-config name, $2 Debian package
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() { # $1 command, $2 Debian package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need_file() { # $1 path, $2 Debian package
	[ -e "$1" ] || missing="$missing $2"
}

need_cmd cc build-essential
need_cmd make build-essential
need_cmd pkg-config pkg-config
need_pkg sdl2 libsdl2-dev
need_pkg SDL2_ttf libsdl2-ttf-dev
need_pkg libwebsockets libwebsockets-dev
need_pkg lua5.4 liblua5.4-dev
need_pkg jansson libjansson-dev
need_pkg sqlite3 libsqlite3-dev
need_pkg libpng libpng-dev
need_file /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core
# the replay viewer's text: a font with kana and kanji (SDL2_ttf has no fallback font)
need_file /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf fonts-ipafont-gothic

if [ "$what" = man ] || [ "$what" = test ]; then
	need_cmd help2man help2man
fi
if [ "$what" = test ] || [ "$what" = bench ]; then
	need_cmd chromium chromium
	need_cmd xvfb-run xvfb
	need_cmd sqlite3 sqlite3
	need_cmd curl curl
	need_cmd node nodejs
	need_cmd npm npm
	need_cmd convert imagemagick
	need_cmd pdftotext poppler-utils   # the report's PDF print test reads each page's text
	need_cmd openssl openssl
	# make fuzz (libFuzzer comes with clang 14's runtime) and make valgrind
	need_cmd clang clang
	need_file /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
	need_cmd valgrind valgrind
fi
if [ "$what" = bench ]; then
	need_file /usr/include/ns3/simulator.h libns3-dev
	need_file /usr/include/gsl/gsl_rng.h libgsl-dev
fi

if [ -n "$missing" ]; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
fi

# Browser-test tooling from npm, pinned, installed beside the tests (no lock file).
if [ "$what" = test ] || [ "$what" = bench ]; then
	if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/ws ] ||
		[ ! -d tests/browser/node_modules/ajv ] || [ ! -d tests/browser/node_modules/ajv-formats ] ||
		[ ! -d tests/browser/node_modules/axe-core ]; then
		echo "deps: npm install (tests/browser)" >&2
		(cd tests/browser && npm install --no-package-lock --no-audit --no-fund --loglevel=error >&2)
	fi
fi
exit 0
