from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DatePrecision, PartialDate

HIDDEN_DATE_FIELDS = ("date", "date_precision")


class PartialDateForm(forms.ModelForm):
    """Edit a partial date as year, month and day boxes; the filled boxes set its precision.

    Typing 2021 and 3 stores 2021-03-01 at month precision, so an editor never has to pick a
    precision that disagrees with the date.
    """

    date_year = forms.IntegerField(label=_("年"), required=False, min_value=1900, max_value=2100)
    date_month = forms.IntegerField(label=_("月"), required=False, min_value=1, max_value=12)
    date_day = forms.IntegerField(label=_("日"), required=False, min_value=1, max_value=31)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date, precision = self.instance.date, self.instance.date_precision
        if date:
            self.initial.setdefault("date_year", date.year)
            if precision in (DatePrecision.MONTH, DatePrecision.DAY):
                self.initial.setdefault("date_month", date.month)
            if precision == DatePrecision.DAY:
                self.initial.setdefault("date_day", date.day)

    def clean(self):
        cleaned = super().clean()
        year, month, day = (cleaned.get(f"date_{part}") for part in ("year", "month", "day"))
        if month is not None and year is None:
            raise ValidationError({"date_year": _("填了月份，请同时填年份。")})
        if day is not None and month is None:
            raise ValidationError({"date_month": _("填了日，请同时填月份。")})
        if year is None:
            self.instance.date, self.instance.date_precision = None, ""
            return cleaned
        try:
            date, precision = PartialDate.period_start(year, month, day)
        except ValueError:
            message = _("%(year)s年%(month)s月没有%(day)s日。") % {
                "year": year,
                "month": month,
                "day": day,
            }
            raise ValidationError({"date_day": message}) from None
        self.instance.date, self.instance.date_precision = date, precision
        return cleaned

    def add_error(self, field, error):
        # The model reports date problems on date and date_precision, which this form shows
        # as the year, month and day boxes; without this, Django refuses errors for fields
        # the form does not have.
        if field in HIDDEN_DATE_FIELDS:
            field = "date_year"
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            regrouped = {}
            for name, errors in error.error_dict.items():
                target = "date_year" if name in HIDDEN_DATE_FIELDS else name
                regrouped.setdefault(target, []).extend(errors)
            error = ValidationError(regrouped)
        super().add_error(field, error)
