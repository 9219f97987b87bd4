"""The audit log: who changed what and when, with the values, for every staff write.

django-auditlog writes one `auditlog.LogEntry` per save, delete and many-to-many change
of the models named in `registry.AUDITED`, from the model signals, so in the
transaction of the change. This app registers those models, names the actor of a
request (`middleware`), and shows the entries in each object's History page
(`history`) and in one staff-only list (`admin`).
"""
