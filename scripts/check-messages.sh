#!/usr/bin/env bash
# Fail when the German catalogue misses a string of the code, has untranslated or
# fuzzy entries, or when the checked-in .mo is not the compiled .po.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
po=locale/de/LC_MESSAGES/django.po
mo=locale/de/LC_MESSAGES/django.mo
tmp=$(mktemp -d)
status=0

cp "$po" "$tmp/before.po"
# A check changes nothing: the catalogue is put back whatever makemessages wrote.
trap 'cp "$tmp/before.po" "$po"; rm -rf "$tmp"' EXIT
"$PY" manage.py makemessages -l de --add-location=file --ignore=tests -v0
if ! diff -u <(grep -v '^"POT-Creation-Date' "$tmp/before.po") <(grep -v '^"POT-Creation-Date' "$po") > "$tmp/diff"; then
    echo "German catalogue is out of date with the code (run 'make messages', translate, commit):"
    head -n 60 "$tmp/diff"
    status=1
fi

untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
# msgattrib prints the header entry too when anything is left.
if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
    echo "German catalogue has untranslated or fuzzy entries:"
    msgattrib --untranslated --no-obsolete "$po" | grep -A1 '^msgid ' | head -n 40
    msgattrib --only-fuzzy --no-obsolete "$po" | grep -A1 '^msgid ' | head -n 40
    status=1
fi

msgfmt --check-format -o "$tmp/django.mo" "$po"
if ! cmp -s "$tmp/django.mo" "$mo"; then
    echo "$mo is not the compiled $po (run 'make messages' and commit the .mo)."
    status=1
fi

[ "$status" -eq 0 ] && echo "German translations: complete and compiled."
exit "$status"
