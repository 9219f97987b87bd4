"""English dates in the European style: "21 December 2026, 21:28", not "Dec. 21, 2026, 9:28 p.m.".

Forms read dates day first too (below), ISO first.
"""

from alliance.formats import DAY_FIRST_DATE_INPUT_FORMATS, DAY_FIRST_DATETIME_INPUT_FORMATS

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# What forms read: day first, as shown (Django's would read "05/06/2026" as 6 May).
DATE_INPUT_FORMATS = DAY_FIRST_DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = DAY_FIRST_DATETIME_INPUT_FORMATS
