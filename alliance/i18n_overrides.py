"""Third-party strings a founder meets, in the portal's own German.

allauth's German catalogue says "du" ("Du hast bereits ein Konto bei uns?", "Bestätige
deine E-Mail-Adresse"), Django REST framework's catalogue lends Django's form validators
its "du" ("Gib eine gültige URL ein."), Django's own German is impersonal ("Bitte eine Zahl
eingeben.") and its blank choice is English ("- Select an option -"). The portal says
"Sie". Listing those msgids here keeps them in locale/de/LC_MESSAGES/django.po (`make
messages` finds them in this module), where they get the portal's formal German: the
catalogue of LOCALE_PATHS wins over every app's. Nothing needs to import this module.

tests/alliance/test_german_voice.py checks that each msgid here is still one of the
libraries' (an upgrade that rewords one is noticed) and that no German string of allauth's
or Django's catalogue says "du" any more, except those of features the portal does not use.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# allauth: the account and two-factor pages, forms, messages and emails a founder can meet.
ALLAUTH = (
    gettext_noop("You cannot remove your primary email address."),
    gettext_noop("Please type your current password."),
    gettext_noop("You cannot add more than %d email addresses."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("Your primary email address must be verified."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("You must type the same email each time."),
    gettext_noop("The new value must be different from the current one."),
    gettext_noop("Do you really want to remove the selected email address?"),
    gettext_noop(
        "You are receiving this email because you or someone else tried to signup for an\n"
        "account using email address:\n\n"
        "%(email)s\n\n"
        "However, an account using that email address already exists.  In case you have\n"
        "forgotten about this, please use the password forgotten procedure to recover\n"
        "your account:\n\n"
        "%(password_reset_url)s"
    ),
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("Your password has been changed."),
    gettext_noop(
        "You're receiving this email because you or someone else has requested a password "
        "reset for your user account.\n"
        "It can be safely ignored if you did not request a password reset. Click the link "
        "below to reset your password."
    ),
    gettext_noop("In case you forgot, your username is %(username)s."),
    gettext_noop("Your email address is still pending verification."),
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address '
        "for user %(user_display)s."
    ),
    gettext_noop(
        "This email confirmation link expired or is invalid. Please <a "
        'href="%(email_url)s">issue a new email confirmation request</a>.'
    ),
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("You have signed out."),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an "
        "email allowing you to reset it."
    ),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam "
        "folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop(
        "The password reset link was invalid, possibly because it has already been used.  "
        'Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    gettext_noop("Your password is now changed."),
    gettext_noop("You are already logged in as %(user_display)s."),
    gettext_noop(
        "You currently do not have any email address set up. You should really add an "
        "email address so you can receive notifications, reset your password, etc."
    ),
    gettext_noop("Verify Your Email Address"),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to "
        "finalize the signup process. If you do not see the verification email in your "
        "main inbox, check your spam folder. Please contact us if you do not receive the "
        "verification email within a few minutes."
    ),
    gettext_noop(
        "This part of the site requires us to verify that\n"
        "you are who you claim to be. For this purpose, we require that you\n"
        "verify ownership of your email address. "
    ),
    gettext_noop(
        "We have sent an email to you for\n"
        "verification. Please click on the link inside that email. If you do not see the "
        "verification email in your main inbox, check your spam folder. Otherwise\n"
        "contact us if you do not receive it within a few minutes."
    ),
    gettext_noop(
        '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email '
        "address</a>."
    ),
    gettext_noop("You are about to generate a new set of recovery codes for your account."),
    gettext_noop(
        "You are about to deactivate authenticator app based authentication. Are you sure?"
    ),
    gettext_noop("Email Address"),
    gettext_noop("Change Email"),
    gettext_noop("Remove"),
    gettext_noop("Added on %(created_at)s"),
)

# Django: the form fields' and validators' messages and the blank choice of a select.
DJANGO = (
    gettext_noop("- Select an option -"),
    gettext_noop("Enter a valid value."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid integer."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid time."),
    gettext_noop("Enter a valid date/time."),
    gettext_noop("Enter a list of values."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ),
)

# Django's plural messages (the count is the named placeholder).
DJANGO_PLURALS = (
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        "max",
    ),
)
