"""Arabic dates as Arabic reads them: "21 ديسمبر 2026، 9:28 م", day first.

Django's Arabic formats have no date-and-time formats, so its global defaults apply:
"ديسمبر 21, 2026, 9:28 م" and "12/21/2026", month first, as in American English. The
short date keeps Django's right-to-left marks, which keep its order in a left-to-right
line too. Forms read dates day first too (below), ISO first.
"""

from alliance.formats import DAY_FIRST_DATE_INPUT_FORMATS, DAY_FIRST_DATETIME_INPUT_FORMATS

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
# What forms read: day first, as shown (Django's would read "05/06/2026" as 6 May).
DATE_INPUT_FORMATS = DAY_FIRST_DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = DAY_FIRST_DATETIME_INPUT_FORMATS
