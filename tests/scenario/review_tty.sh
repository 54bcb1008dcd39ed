#!/bin/sh
# review_tty: the interactive `digitctl review` driven through a real
# pseudo-terminal (tmux): keys 0-9, Enter, s, u, q and ^C; every decision must
# be in the database the moment it is made, the screen must show the digit as
# half-block graphics, and the terminal must be back in cooked mode after q
# and after SIGTERM.
. "$(dirname "$0")/lib/review_lib.sh"
command -v tmux >/dev/null || skip "tmux not installed (scripts/install-deps.sh installs it)"

W=$T/w
mkdir -p "$W"
mkdb "$W" note-01.png=note-01.png cheque-02.png=cheque-02.png
NQ=$(sql "SELECT count(*) FROM review_queue")
[ "$NQ" -ge 4 ] || fail "need at least 4 flagged digits, have $NQ"
SOCK=$T/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

screen() { tm capture-pane -t rv -p; }
# wait_screen PATTERN: until the pane shows PATTERN (grep -E), 10 s at most.
wait_screen() {
	i=0
	until screen | grep -Eq "$1"; do
		i=$((i + 1))
		[ $i -gt 100 ] && { screen; fail "the screen never showed /$1/"; }
		sleep 0.1
	done
}
# review_of ID: "label|by" of a digit's review ("" when none).
review_of() { sql "SELECT coalesce(reviewed_label, '') || '|' || coalesce(reviewed_by, '') FROM digits WHERE id = $1"; }

set -- $(sql "SELECT id || ':' || label FROM review_queue LIMIT 4")
d1=${1%:*}; l1=${1#*:}; d2=${2%:*}; l2=${2#*:}; d3=${3%:*}; d4=${4%:*}
c1=$(( (l1 + 1) % 10 ))

# -- a session: correct, accept, skip, undo, relabel, quit ----------------------
tm new-session -d -s rv -x 100 -y 30 \
	"COLORTERM=truecolor $CTL review --db '$DB' --reviewer ttytest; echo \$? > '$T/rc'; stty -a > '$T/stty'; sleep 600"
wait_screen "digitctl review +digit 1 of $NQ"
screen | grep -q "digit id $d1)" || { screen; fail "the first digit shown is not the least confident ($d1)"; }
tm capture-pane -t rv -e -p > "$T/pane-ansi"
grep -q '▀' "$T/pane-ansi" || fail "no half-block graphics on the screen"
grep -q '48;2;' "$T/pane-ansi" || fail "no 24-bit grey background colours with COLORTERM=truecolor"
screen | grep -q "model says  $l1 " || fail "the model's label is not shown"
screen | grep -q "2nd guess" || fail "the second guess is not shown"
screen | grep -q "in its field" || fail "the field's neighbours are not shown"

tm send-keys -t rv "$c1"
wait_screen "digit 2 of $NQ"
[ "$(review_of "$d1")" = "$c1|ttytest" ] || fail "key $c1 did not store digit $d1 at once: $(review_of "$d1")"
tm send-keys -t rv Enter
wait_screen "digit 3 of $NQ"
[ "$(review_of "$d2")" = "$l2|ttytest" ] || fail "Enter did not store the model's label for $d2"
tm send-keys -t rv s
wait_screen "digit 4 of $NQ"
[ "$(review_of "$d3")" = "|" ] || fail "s stored something for $d3"
tm send-keys -t rv u
wait_screen "digit 2 of $NQ"
[ "$(review_of "$d2")" = "|" ] || fail "u did not take back the decision on $d2: $(review_of "$d2")"
screen | grep -q "undone: digit $d2" || fail "undo is not reported"
tm send-keys -t rv 7
wait_screen "digit 3 of $NQ"
[ "$(review_of "$d2")" = "7|ttytest" ] || fail "relabel after undo"
tm send-keys -t rv q
i=0; while [ ! -s "$T/stty" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "review did not quit on q"; sleep 0.1; done
[ "$(cat "$T/rc")" = 0 ] || fail "review exited $(cat "$T/rc") after q"
grep -Eq '(^| )icanon' "$T/stty" && grep -Eq '(^| )echo( |$)' "$T/stty" || fail "terminal left in raw mode: $(cat "$T/stty")"
screen | grep -Eq "review: 2 decided \([12] corrected the model\), 1 skipped" || { screen; fail "no summary after quitting"; }
[ "$(sql "SELECT count(*) FROM digits WHERE reviewed_label IS NOT NULL")" = 2 ] || fail "exactly 2 decisions expected"
tm kill-session -t rv
ok "keys 0-9, Enter, s, u, q store and undo decisions at once; terminal restored"

# -- ^C quits cleanly too; 256 colours without COLORTERM --------------------------
rm -f "$T/rc" "$T/stty"
tm new-session -d -s rv -x 80 -y 24 \
	"env -u COLORTERM $CTL review --db '$DB' --reviewer ttytest; echo \$? > '$T/rc'; stty -a > '$T/stty'; sleep 600"
wait_screen "digitctl review +digit 1 of $((NQ - 2))"
tm capture-pane -t rv -e -p > "$T/pane-ansi"
grep -q '48;5;2[3-5][0-9]' "$T/pane-ansi" || grep -q '48;5;231' "$T/pane-ansi" || fail "no 256-colour greys"
tm send-keys -t rv C-c
i=0; while [ ! -s "$T/stty" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "review did not quit on ^C"; sleep 0.1; done
grep -Eq '(^| )icanon' "$T/stty" || fail "terminal left in raw mode after ^C"
tm kill-session -t rv
ok "^C quits and restores the terminal; 256-colour greys"

# -- SIGTERM while in raw mode restores the terminal ---------------------------------
rm -f "$T/rc" "$T/stty"
tm new-session -d -s rv -x 80 -y 24 \
	"$CTL review --db '$DB'; echo \$? > '$T/rc'; stty -a > '$T/stty'; sleep 600"
wait_screen "digitctl review +digit 1 of"
shpid=$(tm display-message -p -t rv '#{pane_pid}')
rvpid=$(ps -o pid= --ppid "$shpid" | tr -d ' ' | head -1)
[ -n "$rvpid" ] || fail "cannot find the review process"
kill -TERM "$rvpid"
i=0; while [ ! -s "$T/stty" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "review did not die on SIGTERM"; sleep 0.1; done
[ "$(cat "$T/rc")" = 143 ] || fail "exit status after SIGTERM: $(cat "$T/rc")"
grep -Eq '(^| )icanon' "$T/stty" && grep -Eq '(^| )echo( |$)' "$T/stty" || fail "terminal left in raw mode after SIGTERM"
user=$(id -un)
tm kill-session -t rv
[ "$(sql "SELECT count(*) FROM digits WHERE reviewed_label IS NOT NULL")" = 2 ] || fail "SIGTERM session stored something"
ok "SIGTERM restores the terminal (reviewer would default to $user)"
