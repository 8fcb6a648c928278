// Constant sh scripts of the zypper driver: no data is ever put into them (commands.ts passes data
// only as validated arguments). Each prints sections (`@@patchctl:NAME@@`, ../sections.ts) and an
// end marker, so a cut-short output is detected, not misread.

/**
 * The scan in one round trip: package updates, patches, locks (all XML), then `zypper info -t
 * patch` for the applicable patches, whose Conflicts say which packages each patch carries (the XML
 * does not). Read-only: `ZYPP_READONLY_HACK=1` makes libzypp skip its lock (a scan never waits for
 * or blocks a running zypper) and `--no-refresh` keeps it off the network. Patch names are taken
 * from the XML with sed and kept only when they match [A-Za-z0-9._:+-] (never a glob or an option).
 */
export const SCAN_SCRIPT = `LC_ALL=C; export LC_ALL
ZYPP_READONLY_HACK=1; export ZYPP_READONLY_HACK
z() { zypper --non-interactive --no-refresh "$@"; }
echo '@@patchctl:updates@@'
z --xmlout list-updates; echo "@@patchctl:rc=$?@@"
echo '@@patchctl:patches@@'
patches=$(z --xmlout list-patches); rc=$?
printf '%s\\n' "$patches"; echo "@@patchctl:rc=$rc@@"
echo '@@patchctl:locks@@'
z --xmlout locks; echo "@@patchctl:rc=$?@@"
echo '@@patchctl:patch-info@@'
names=$(printf '%s\\n' "$patches" | sed 's/<update /\\n<update /g' | sed -n 's/^<update kind="patch" name="\\([A-Za-z0-9._:+-]*\\)".* status="\\(needed\\|optional\\)".*/\\1/p' | sort -u)
if [ -n "$names" ]; then
  set -f
  # shellcheck disable=SC2086 # one patch name per word, globbing off, characters checked above
  set -- $names
  set +f
  z info -t patch -- "$@"; echo "@@patchctl:rc=$?@@"
else
  echo "@@patchctl:rc=0@@"
fi
echo '@@patchctl:end@@'
`;

/**
 * Who holds libzypp's lock: `free`, or `held PID COMM`. /run/zypp.pid holds the pid of the process
 * using the package manager; zypper empties it on exit, and a pid whose process is gone is stale.
 * The holder's name comes from /proc/PID/comm, never its command line (which may hold secrets).
 */
export const LOCK_HOLDER_SCRIPT = `LC_ALL=C; export LC_ALL
f=/run/zypp.pid
[ -e "$f" ] || f=/var/run/zypp.pid
pid=$(head -c 32 "$f" 2>/dev/null | tr -cd 0-9)
if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
  echo "held $pid $(head -c 64 "/proc/$pid/comm" 2>/dev/null | tr -cd '[:print:]')"
else
  echo free
fi
`;
