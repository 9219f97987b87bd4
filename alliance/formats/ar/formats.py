"""Arabic dates as Arabic reads them: "21 ديسمبر 2026، 9:28 م", day first.

Django's Arabic formats have no date-and-time formats, so its global defaults apply:
"ديسمبر 21, 2026, 9:28 م" and "12/21/2026", month first, as in American English. The
short date keeps Django's right-to-left marks, which keep its order in a left-to-right
line too. Forms read dates day first too (below), ISO first.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
# What forms read, day first as shown (Django's Arabic reads "05/06/2026" as 6 May); ISO
# first, as the admin's date widgets write it.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
