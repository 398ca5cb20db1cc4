#!/usr/bin/env bash
# The packaging files agree with each other: META.json follows the PGXN Meta Spec 1.0.0 and names
# the version and script the control file installs. Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/.."
echo "1..4"
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
