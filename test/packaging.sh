#!/usr/bin/env bash
# The packaging files agree with each other: META.json follows the PGXN Meta Spec 1.0.0 and names
# the version and script the control file installs, and the installed library has no path to
# abort(): a broken invariant raises an error, it never takes the server down; and every C and C++
# source is formatted as .clang-format says. Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/.."
echo "1..6"
default_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" ledger.control)
perl -MJSON::PP -e '
    my $meta = eval { local $/; open my $f, "<", "META.json" or die; decode_json(<$f>) };
    my $ok = sub { print(($_[0] ? "ok" : "not ok") . " - $_[1]\n") };
    $ok->($meta, "META.json is valid JSON");
    my @missing = grep { !exists $meta->{$_} }
        qw(name abstract version maintainer license provides meta-spec);
    $ok->(!@missing && $meta->{"meta-spec"}{version} eq "1.0.0",
          "META.json has every key Meta Spec 1.0.0 requires (missing: @missing)");
    my $provided = $meta->{provides}{ledger} // {};
    $ok->(-f $provided->{file}, "the provided script file exists");
    $ok->(index($provided->{file}, "ledger--$ARGV[0].sql") == 0,
          "META.json and ledger.control name one version ($ARGV[0])");
' "$default_version"

library="$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)/ledger.so"
aborts=$(nm -D --undefined-only "$library" 2>&1 | grep -E ' (abort|__assert_fail|__assert_perror_fail)(@|$)')
if [ -f "$library" ] && [ -z "$aborts" ]; then
    echo "ok - the installed ledger.so calls neither abort() nor assert()"
else
    echo "not ok - the installed ledger.so calls neither abort() nor assert()"
    echo "# ${aborts:-$library is missing}"
fi

sources=$(git ls-files 'src/*.cpp' 'src/*.hpp' 'src/*.c' 'src/*.h' 'test/*.cpp' 'test/*.hpp' 'test/*.c')
[ -n "$sources" ] || sources="(no sources found: not a git checkout?)"
unformatted=$(echo "$sources" | while read -r source; do
        clang-format --dry-run -Werror "$source" >/dev/null 2>&1 || echo "$source"
    done)
if command -v clang-format >/dev/null && [ -z "$unformatted" ]; then
    echo "ok - every C and C++ source is formatted as .clang-format says"
else
    echo "not ok - every C and C++ source is formatted as .clang-format says"
    echo "# ${unformatted:-clang-format is missing}" | head -5
fi
