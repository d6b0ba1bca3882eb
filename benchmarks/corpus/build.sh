#!/usr/bin/env bash
# Builds a real-music evaluation corpus from free game soundtracks shipped as Debian packages.
#
#   bash benchmarks/corpus/build.sh            # runs as root (apt-get download needs no root,
#                                              # but apt-get update / install unzip do)
#
# Output (git-ignored), under $CORPUS_OUT (default benchmarks/corpus/out):
#   audio/<package>/...   harvested audio files (ogg/mp3/flac/wav/opus, >= MIN_DURATION s)
#   manifest.csv          path,artist,title,album,release_date,popularity (see corpus-tool.mjs
#                         for how artist/title are read and how the deterministic popularity and
#                         release date are derived from hashes of the artist / relative path)
#   tracks.jsonl          the same rows plus duration, codec, sha256 and package
#   manifest-fresh.csv, tracks-fresh.jsonl   the same for the fresh part: other games, never
#                         used to choose a parameter or a weight (see FRESH_PACKAGES below)
#   variants/, variants.csv   re-encoded and 5-s-trimmed copies of ~50 tracks for a
#                         self-retrieval test: path,original_path,kind (kind: reencode | trim5s)
#   state/<package>.jsonl one per harvested package; a present file means "done"
#
# Packages are fetched with `apt-get download` and unpacked with `dpkg -x` into a scratch folder
# (never installed); the .deb and every non-audio file are deleted once the package is harvested.
# Idempotent and resumable: finished packages and variants are skipped, so re-running after an
# interruption continues where it stopped; re-running a finished build only rewrites the CSVs.
#
# Environment:
#   CORPUS_OUT       output folder (default: <this folder>/out)
#   MAX_DOWNLOAD_MB  budget for the .deb downloads of the main part (default 2500); a package that
#                    would exceed it is skipped with a message
#   FRESH_MAX_DOWNLOAD_MB  the same for the fresh part (default 4200)
#   FRESH            set to 0 to build the main part only
#   MIN_DURATION     shortest track kept, seconds (default 20)
#   VARIANTS         number of tracks given variants (default 50)
#   EXTRA_PKGS       more "package|album|include-regex" entries, separated by ';'
#                    e.g. 'mygame-data|My Game|/music/'
#   SKIP_APT_UPDATE  set to 1 to skip the single `apt-get update`
#   ONLY_PKGS        space-separated package names: harvest only these (of the lists below and
#                    EXTRA_PKGS), e.g. 'asc-music drascula-music' for a small, quick corpus
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${CORPUS_OUT:-$HERE/out}"
MAX_DOWNLOAD_MB="${MAX_DOWNLOAD_MB:-2500}"
MIN_DURATION="${MIN_DURATION:-20}"
VARIANTS="${VARIANTS:-50}"
TOOL="$HERE/corpus-tool.mjs"

# package | album (the game) | include regex (case-insensitive) on the path inside the package;
# the regex is the rest of the entry, so it may itself contain '|'.
# Music-only packages take every audio file; data packages only their music folders, which keeps
# long ambient sound effects and voice lines out. Order matters only for de-duplication (first
# package wins) and for the download budget. Sizes are the .deb sizes in Debian 12 (bookworm).
# Left out (little music per MB): boswars-data; 0ad-data, supertuxkart-data, megaglest-data and
# scorched3d-data are in the fresh part below.
PACKAGES=(
  'singularity-music|Endgame: Singularity|.'                     #  52 MB
  'asc-music|Advanced Strategic Command|.'                       #  10 MB
  'drascula-music|Drascula: The Vampire Strikes Back|.'          #  36 MB
  'hyperrogue-music|HyperRogue|.'                                #  64 MB
  'nexuiz-music|Nexuiz|.'                                        #  84 MB (music.pk3)
  'ufoai-music|UFO: Alien Invasion|.'                            # 210 MB (0music.pk3)
  'warzone2100-music|Warzone 2100|.'                             #  86 MB
  'wesnoth-1.16-music|Battle for Wesnoth|.'                      # 153 MB
  'planetblupi-music-ogg|Planet Blupi|.'                         #  60 MB
  'fretsonfire-songs-muldjord|Frets on Fire|/song\.ogg$'         #  29 MB (stems skipped)
  'fretsonfire-songs-sectoid|Frets on Fire|/song\.ogg$'          #  29 MB
  'colobot-common-sounds|Colobot|/music/'                        #  61 MB
  'hedgewars-data|Hedgewars|/music/'                             # 145 MB
  'supertux-data|SuperTux|/music/'                               # 162 MB
  'naev-data|Naev|/music/'                                       # 350 MB
  'widelands-data|Widelands|/music/'                             # 381 MB
  'xmoto-data|X-Moto|/musics/'                                   #  32 MB
  'openclonk-data|OpenClonk|/music\.ocg/'                        # 112 MB
  'fillets-ng-data|Fish Fillets NG|/music/'                      #  71 MB
  'freedroidrpg-data|FreedroidRPG|/music/'                       # 228 MB
  'extremetuxracer-data|Extreme Tux Racer|/music/'               #  41 MB
  'frozen-bubble-data|Frozen Bubble|zik'                         #  22 MB
  'powermanga-data|Powermanga|/music_'                           #  10 MB
  'pathological|Pathological|/music/'                            #   8 MB
  'tuxmath-data|Tux, of Math Command|/sounds/([0-9]|tuxi)'       #   9 MB
  'tuxtype-data|Tux Typing|/sounds/(amidst|chiptune|tuxi)'       #  10 MB
)
# The fresh part: other games, harvested the same way into manifest-fresh.csv. No parameter,
# weight or feature of yasr is ever chosen on these tracks (`yasr evaluate`'s held-out protocol
# and every tuning run use manifest.csv only); benchmarks/pipeline/corpus-eval.ts scores the
# defaults on them. Added 2026-11-30, after hybrid's revision 4 and features version 9 were fixed.
# supertuxkart's "_fast" files are its tracks played faster: left out, as near-copies.
FRESH_PACKAGES=(
  '0ad-data|0 A.D.|audio/music/'                                 # 1377 MB (public.zip: 3.3 GB unpacked while it is read)
  'supertuxkart-data|SuperTuxKart|/music/(?!.*_fast\.ogg$)'       # 627 MB
  'warmux-data|Warmux|/music/'                                   #  98 MB
  'flare-game|Flare|/music/'                                     # 122 MB
  'redeclipse-data|Red Eclipse|/sounds/music/'                   # 862 MB
  'enigma-data|Enigma|/music/'                                   #  30 MB
  'megaglest-data|MegaGlest|/music/'                             # 242 MB
  'ardentryst|Ardentryst|/Music/'                                #  24 MB
  'btanks-data|Battle Tanks|/tunes/'                             #  26 MB
  'lincity-ng-data|LinCity-NG|/music/'                           #  44 MB
  'lugaru-data|Lugaru|/Sounds/Music'                             #  34 MB
  'scorched3d-data|Scorched 3D|/data/music/'                     #  31 MB
  # Added 2026-12-01, before the fresh part's figures of features version 10 were read: more
  # games (and one collection of music on hold), other composers; found by listing Debian 12's
  # packages with at least 3 music files of 20 s or more (blobwars-data's have no extension,
  # berusky2-data is 534 MB, starfighter-data shares composers with other games: left out).
  'wizznic-data|Wizznic!|/wizznic/(packs/000_wizznic/music/|data/menu-music\.ogg$)'  # 16 MB
  'wordwarvi-sound|Word War vi|/wordwarvi/sounds/(dtox3monomix|lucky[^/]*|highscoremusic|destiny_facedown)\.ogg$'  # 8 MB
  'asterisk-moh-opsound-wav|Asterisk music on hold|/asterisk/moh/'  #  13 MB (not a game)
  'davegnukem-data|Dave Gnukem|/davegnukem/music/'                #  19 MB
  'noiz2sa-data|Noiz2sa|/noiz2sa/sounds/stg[0-9]*\.ogg$'          #   8 MB
  'trackballs-data|Trackballs|/trackballs/music/'                #  30 MB
  'pushover-data|Pushover|/pushover/themes/[^/]+\.ogg$'          #  31 MB
  'hex-a-hop-data|Hex-a-hop|/hex-a-hop/music-'                   #   9 MB
  'amoebax-data|Amoebax|/amoebax/music/'                         #   8 MB
  'adonthell-data|Adonthell|/wastesedge/audio/at-demo-'           #  14 MB
  'zaz-data|Zaz|/games/zaz/mus[0-9]\.ogg$'                       #  19 MB
  'marsshooter-data|M.A.R.S.|/marsshooter/audio/(music/|menu\.ogg$|tutorial\.ogg$)'  # 65 MB
  'miceamaze|MiceAmaze|/miceamaze/music/'                        #  12 MB
  'lordsawar-data|LordsAWar!|/lordsawar/music/'                  #  21 MB
  'neverball-common|Neverball|/neverball/bgm/'                   #  16 MB
  'unknown-horizons|Unknown Horizons|/content/audio/music/'      # 237 MB
)
[[ "${FRESH:-1}" == 0 ]] && FRESH_PACKAGES=()
if [[ -n "${EXTRA_PKGS:-}" ]]; then
  IFS=';' read -r -a extra <<<"$EXTRA_PKGS"
  PACKAGES+=("${extra[@]}")
fi
if [[ -n "${ONLY_PKGS:-}" ]]; then
  kept=()
  for entry in "${PACKAGES[@]}"; do
    [[ " $ONLY_PKGS " == *" ${entry%%|*} "* ]] && kept+=("$entry")
  done
  kept_fresh=()
  for entry in "${FRESH_PACKAGES[@]}"; do
    [[ " $ONLY_PKGS " == *" ${entry%%|*} "* ]] && kept_fresh+=("$entry")
  done
  ((${#kept[@]} + ${#kept_fresh[@]})) || { echo "build.sh: ONLY_PKGS names none of the known packages" >&2; exit 1; }
  PACKAGES=("${kept[@]}")
  FRESH_PACKAGES=("${kept_fresh[@]}")
fi

t_start=$(date +%s)
log() { printf '[%s +%4ds] %s\n' "$(date +%H:%M:%S)" "$(($(date +%s) - t_start))" "$*"; }

for tool in ffmpeg ffprobe node apt-get dpkg; do
  command -v "$tool" >/dev/null || { echo "build.sh: '$tool' is required" >&2; exit 1; }
done
mkdir -p "$OUT/state" "$OUT/debs" "$OUT/scratch" "$OUT/audio"

# Exactly one `apt-get update` per build (skipped when a previous run already did it today).
stamp="$OUT/state/apt-update.stamp"
if [[ "${SKIP_APT_UPDATE:-0}" != 1 ]] && ! [[ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]]; then
  log "apt-get update"
  apt-get update -qq
  touch "$stamp"
fi
if ! command -v unzip >/dev/null; then
  log "installing unzip (needed for the .pk3 music archives)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
fi

deb_size_mb() { # download size of a package in MB (empty when apt does not know it)
  apt-cache show --no-all-versions "$1" 2>/dev/null | awk '/^Size:/ {printf "%d", $2/1e6 + 0.5; exit}'
}

# harvest_list BUDGET_MB ENTRY...: downloads, extracts and harvests each package entry within the
# budget; sets names (the packages in order) and used_mb.
harvest_list() {
  local budget_mb="$1"
  shift
  used_mb=0
  names=()
  for entry in "$@"; do
    IFS='|' read -r pkg album include <<<"$entry"
    names+=("$pkg")
    state="$OUT/state/$pkg.jsonl"
    if [[ -f "$state" && -f "$OUT/state/$pkg.size" ]]; then
      used_mb=$((used_mb + $(cat "$OUT/state/$pkg.size")))
      continue
    fi
    size_mb="$(deb_size_mb "$pkg")"
    if [[ -z "$size_mb" ]]; then
      log "skip $pkg: not known to apt (apt-cache show found nothing)"
      continue
    fi
    if [[ -f "$state" ]]; then
      echo "$size_mb" >"$OUT/state/$pkg.size"
      used_mb=$((used_mb + size_mb))
      continue
    fi
    if ((used_mb + size_mb > budget_mb)); then
      log "skip $pkg: ${size_mb} MB would exceed the budget of ${budget_mb} MB (used ${used_mb} MB)"
      continue
    fi
    used_mb=$((used_mb + size_mb))

    # Download into a private folder, then move: a .deb in debs/ is always complete.
    deb="$(ls "$OUT/debs/${pkg}"_*.deb 2>/dev/null | head -n1 || true)"
    if [[ -n "$deb" ]] && ! dpkg-deb --info "$deb" >/dev/null 2>&1; then rm -f "$deb"; deb=""; fi
    if [[ -z "$deb" ]]; then
      log "download $pkg (${size_mb} MB)"
      dl="$OUT/debs/.dl-$pkg"
      rm -rf "$dl" && mkdir -p "$dl"
      (cd "$dl" && apt-get download -qq "$pkg" 2>&1 | grep -v 'unsandboxed' || true)
      deb="$(ls "$dl/${pkg}"_*.deb 2>/dev/null | head -n1 || true)"
      [[ -n "$deb" ]] || { log "skip $pkg: download failed"; rm -rf "$dl"; continue; }
      mv "$deb" "$OUT/debs/" && rm -rf "$dl"
      deb="$OUT/debs/$(basename "$deb")"
    fi

    log "extract $pkg"
    scratch="$OUT/scratch/$pkg"
    rm -rf "$scratch" && mkdir -p "$scratch"
    dpkg -x "$deb" "$scratch"
    # Zip archives in the package (Quake-style .pk3 files are zips): only their audio files that
    # match the include regex are extracted, beside the archive (nexuiz, ufoai, 0ad).
    while IFS= read -r -d '' zip; do
      node "$TOOL" unzip --zip "$zip" --include "$include" --dest "${zip%.*}.unzipped" || log "  warning: could not unzip $zip"
      rm -f "$zip"
    done < <(find "$scratch" -type f \( -iname '*.pk3' -o -iname '*.zip' \) -print0)

    log "harvest $pkg -> $album"
    node "$TOOL" harvest --root "$scratch" --pkg "$pkg" --album "$album" --include "$include" \
      --dest "$OUT/audio/$pkg" --state "$state" \
      --min-duration "$MIN_DURATION" --base "$OUT"
    echo "$size_mb" >"$OUT/state/$pkg.size"
    rm -rf "$scratch" "$deb"
  done
}

harvest_list "$MAX_DOWNLOAD_MB" "${PACKAGES[@]}"
pkg_names=("${names[@]}")
log "main part done (downloads within budget: ${used_mb} MB of ${MAX_DOWNLOAD_MB} MB)"
fresh_names=()
if ((${#FRESH_PACKAGES[@]})); then
  harvest_list "${FRESH_MAX_DOWNLOAD_MB:-4200}" "${FRESH_PACKAGES[@]}"
  fresh_names=("${names[@]}")
  log "fresh part done (downloads within budget: ${used_mb} MB of ${FRESH_MAX_DOWNLOAD_MB:-4200} MB)"
fi
rmdir "$OUT/scratch" 2>/dev/null || true

log "manifest"
node "$TOOL" manifest --out "$OUT" --pkgs "${pkg_names[*]}"
if ((${#fresh_names[@]})); then
  # The fresh part drops files that are byte-identical to one of the main part.
  node "$TOOL" manifest --out "$OUT" --pkgs "${fresh_names[*]}" --part fresh
fi
log "variants ($VARIANTS tracks)"
node "$TOOL" variants --out "$OUT" --count "$VARIANTS"

echo
node "$TOOL" summary --out "$OUT"
if [[ -f "$OUT/tracks-fresh.jsonl" ]]; then
  echo "fresh part (never tuned on):"
  node "$TOOL" summary --out "$OUT" --part fresh
fi
echo "disk used: audio $(du -sh "$OUT/audio" | cut -f1), variants $(du -sh "$OUT/variants" | cut -f1), total $(du -sh "$OUT" | cut -f1)"
echo "manifest: $OUT/manifest.csv ($(($(wc -l <"$OUT/manifest.csv") - 1)) rows)"
[[ -f "$OUT/manifest-fresh.csv" ]] && echo "fresh part: $OUT/manifest-fresh.csv ($(($(wc -l <"$OUT/manifest-fresh.csv") - 1)) rows)"
echo "variants: $OUT/variants.csv ($(($(wc -l <"$OUT/variants.csv") - 1)) rows)"
log "done in $(($(date +%s) - t_start)) s"
