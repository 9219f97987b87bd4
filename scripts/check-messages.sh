#!/usr/bin/env bash
# Fail when a UI language's catalogue misses a string of the code, has untranslated or
# fuzzy entries, or when its checked-in .mo is not the compiled .po. The languages are
# settings.LANGUAGES but English (the msgids' own); `scripts/check-messages.sh fr` checks one.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
if [ "$#" -gt 0 ]; then
    locales="$*"
else
    locales=$(DJANGO_SETTINGS_MODULE=alliance.settings "$PY" -c '
import django
django.setup()
from django.conf import settings
from django.utils.translation import to_locale
print(" ".join(to_locale(code) for code, _ in settings.LANGUAGES if code != "en"))')
fi
tmp=$(mktemp -d)
status=0
trap 'for l in $locales; do [ -f "$tmp/$l.po" ] && cp "$tmp/$l.po" "locale/$l/LC_MESSAGES/django.po"; done; rm -rf "$tmp"' EXIT

for locale in $locales; do
    po=locale/$locale/LC_MESSAGES/django.po
    mo=locale/$locale/LC_MESSAGES/django.mo
    if [ ! -f "$po" ]; then
        echo "$locale: no catalogue ($po)."
        status=1
        continue
    fi
    # A check changes nothing: the catalogue is put back whatever makemessages wrote.
    cp "$po" "$tmp/$locale.po"
    "$PY" manage.py makemessages -l "$locale" --add-location=file --ignore=tests -v0
    if ! diff -u <(grep -v '^"POT-Creation-Date' "$tmp/$locale.po") <(grep -v '^"POT-Creation-Date' "$po") > "$tmp/diff"; then
        echo "$locale: the catalogue is out of date with the code (run 'make messages', translate, commit):"
        head -n 60 "$tmp/diff"
        status=1
    fi
    cp "$tmp/$locale.po" "$po"

    untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
    fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
    # msgattrib prints the header entry too when anything is left.
    if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
        echo "$locale: the catalogue has untranslated or fuzzy entries:"
        msgattrib --untranslated --no-obsolete "$po" | grep -A1 '^msgid ' | head -n 40
        msgattrib --only-fuzzy --no-obsolete "$po" | grep -A1 '^msgid ' | head -n 40
        status=1
    fi

    msgfmt --check-format -o "$tmp/django.mo" "$po"
    if ! cmp -s "$tmp/django.mo" "$mo"; then
        echo "$mo is not the compiled $po (run 'make messages' and commit the .mo)."
        status=1
    fi
    [ "$status" -eq 0 ] && echo "$locale: complete and compiled."
done
exit "$status"
