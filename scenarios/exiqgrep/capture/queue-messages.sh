#!/bin/sh
# Queues a fixed set of messages in this testbed's real exim with exim's own tools, then writes
# the queue listings (`exim -bp`, `-bpu`, `-bpa`, `-bp -qGnamed`) to $OUT.
# Used by `harness capture-queue` (corpus) and by the exiqgrep suite's live mode.
#   SIZES=0     skip the size-boundary messages (two of them are ~10 MB)
#   SPACING=N   sleep N s between messages, so that message ids differ in their first 6
#               characters (exiqgrep sorts by that second; equal seconds come out in random order)
#   BACKDATE=N  every message received N s further back (mail that sat in the queue across an
#               upgrade: ages in days, which tick once a day, not once a minute)
#   SPOOL_ERRORS=1  three more messages whose spool -H file exim then cannot read (its
#               `*** spool format error ***` / `*** spool read error: ... ***` entries)
# exim runs no daemon here: -odq only queues, and deliveries happen when this script asks (-M).
set -eu
OUT=${OUT:-/tmp/exq-capture}
SIZES=${SIZES:-1}
SPACING=${SPACING:-0}
SPOOL_ERRORS=${SPOOL_ERRORS:-0}
BACKDATE=${BACKDATE:-0}
mkdir -p "$OUT"
EXIM=$(command -v exim4 || command -v exim)
SPOOL=$($EXIM -bP -n spool_directory)
HOST=$($EXIM -bP -n primary_hostname)

# Two aliases: `split` delivers to root and defers `later` (one generated address delivered,
# the message stays queued: the `+D` lines of -bpa).
grep -q '^split:' /etc/aliases 2>/dev/null || printf 'split: root, later\nlater: :defer: not now\n' >> /etc/aliases

# q BODYBYTES EXIM-ARGS... : queues one message and prints its id (the newest spool -H file;
# exim writes -H last, and nothing else writes to the spool here)
q() {
  n=$1; shift
  { printf 'Subject: harness queue sample\n\n'; yes 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' | head -c "$n"; } \
    | $EXIM -odq -oi "$@"
  ls -t "$SPOOL/input/" | sed -n '/-H$/{s/-H$//p;q}'
  [ "$SPACING" = 0 ] || sleep "$SPACING"
}
# age ID SECONDS: backdates the received time in the spool -H file (the age column of -bp)
age() {
  h=$(find "$SPOOL" -name "$1-H" | head -1)
  now=$(date +%s)
  sed -i -E "0,/^[0-9]+ [0-9]+\$/s//$((now - $2)) 0/" "$h"
}

plain=$(q 10 root)
age "$plain" 2700                                   # 45m
multi=$(q 20 root postmaster@$HOST alice@example.net)
age "$multi" 5430                                   # 90m
bounce=$(q 30 -f '<>' root)
age "$bounce" 5490                                  # 91 min prints as  2h
fbounce=$(q 40 -f '<>' alice@example.net)
$EXIM -Mf "$fbounce" >/dev/null
age "$fbounce" 259170                               # 72h
frozen=$(q 50 bob@example.org)
$EXIM -Mf "$frozen" >/dev/null
age "$frozen" 262800                                # 73h prints as  3d
su -s /bin/sh nobody -c "printf 'Subject: x\n\nuntrusted\n' | $EXIM -odq -oi -f someone@example.org root"
[ "$SPACING" = 0 ] || sleep "$SPACING"
plainuser=$(q 60 carol@example.com)
su -s /bin/sh nobody -c "printf 'Subject: x\n\nuntrusted no -f\n' | $EXIM -odq -oi root"
[ "$SPACING" = 0 ] || sleep "$SPACING"
quoted=$(q 70 '"john doe"@example.com' 'x.y+tag@example.com')
age "$quoted" $((123 * 86400))                      # 123d
partial=$(q 80 a1@example.net b2@example.net c3@example.net)
$EXIM -Mmd "$partial" b2@example.net >/dev/null
split=$(q 90 split@$HOST)
$EXIM -M "$split" >/dev/null 2>&1 || true           # root delivered, `later` deferred
named=$(q 100 dave@example.net)
$EXIM -MG named "$named" >/dev/null
if [ "$SIZES" = 1 ]; then
  # Calibrate: message size = headers + body; the headers of every sample have the same length.
  cal=$(q 1 root)
  hdr=$($EXIM -bp | awk -v id="$cal" '$3 == id {print $2 - 1}')
  $EXIM -Mrm "$cal" >/dev/null
  # Totals on both sides of every string_format_size() boundary (1K, 10K, 1M, 10M) and the
  # rounding edges (" 9.9K" / "10.0K" / "  10K", "1023K" / "1024K" / " 1.0M", "10.0M" / "  10M").
  for total in 1000 1100 10100 10220 10300 51200 1047000 1048400 1049000 10484000 10500000; do
    q $((total - hdr)) root >/dev/null
  done
fi
if [ "$SPOOL_ERRORS" = 1 ]; then
  # What a crash, a full disk or a hand edit leaves in a spool, as exim lists it.
  cut=$(q 10 root)                                    # envelope cut short: "spool format error: size=N"
  h="$SPOOL/input/$cut-H"; head -n 3 "$h" > "$h.cut"; cat "$h.cut" > "$h"; rm -f "$h.cut"
  dir=$(q 10 root)                                    # -H not readable as a file: "spool read error: ..."
  h="$SPOOL/input/$dir-H"; rm -f "$h"; mkdir "$h"
  hdr=$(q 10 root bob@example.org)                    # envelope intact, headers cut: error after the header line
  h="$SPOOL/input/$hdr-H"; n=$(grep -n '^$' "$h" | head -1 | cut -d: -f1)
  head -n "$n" "$h" > "$h.cut"; printf '999P Received: cut\n' >> "$h.cut"; cat "$h.cut" > "$h"; rm -f "$h.cut"
fi
if [ "$BACKDATE" != 0 ]; then
  # The received time is the first "<seconds> <warning count>" line of each -H file (as in age()).
  for h in $(find "$SPOOL" -name '*-H' -type f); do
    awk -v b="$BACKDATE" '!done && /^[0-9]+ [0-9]+$/ { $1 = $1 - b; done = 1 } { print }' "$h" > "$h.back"
    cat "$h.back" > "$h"; rm -f "$h.back"
  done
fi
$EXIM -bp > "$OUT/bp.txt"
$EXIM -bpu > "$OUT/bpu.txt"
$EXIM -bpa > "$OUT/bpa.txt"
$EXIM -bp -qGnamed > "$OUT/named-bp.txt"
$EXIM --version | head -1 > "$OUT/exim-version.txt"
