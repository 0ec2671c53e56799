"""The district, its units, the cadres and the posts they hold, with history.

A post is the half-open period [start, end): `end` is the first day the person no
longer holds it (empty while it is held). A successor therefore starts on the day
the predecessor's post ends, without overlapping. Posts are never overwritten: a
change of post (换届) ends one post and starts another.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The largest display order every database holds (PostgreSQL's integer).
MAX_ORDER = 2_147_483_647


class District(models.Model):
    name = models.CharField(max_length=50, unique=True, verbose_name=_("name"))

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        SUBDISTRICT = "subdistrict", _("sub-district")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="units", verbose_name=_("district")
    )
    code = models.SlugField(max_length=32, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=50, verbose_name=_("name"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    order = models.PositiveIntegerField(default=0, verbose_name=_("display order"))

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="unit_name_unique_in_district"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "m", _("male")
        FEMALE = "f", _("female")

    class Education(models.TextChoices):
        DOCTORATE = "doctorate", _("doctorate")
        MASTER = "master", _("master's degree")
        BACHELOR = "bachelor", _("bachelor's degree")
        COLLEGE = "college", _("junior college")
        SECONDARY = "secondary", _("secondary school")

    code = models.SlugField(
        max_length=32,
        unique=True,
        verbose_name=_("person number"),
        help_text=_("A number that identifies the person across roster imports."),
    )
    name = models.CharField(max_length=50, verbose_name=_("full name"))
    gender = models.CharField(max_length=1, choices=Gender.choices, verbose_name=_("gender"))
    birth_month = models.DateField(
        null=True, blank=True, verbose_name=_("born"), help_text=_("Year and month; the day is 1.")
    )
    education = models.CharField(
        max_length=16, choices=Education.choices, blank=True, verbose_name=_("education")
    )
    party_joined = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("joined the party"),
        help_text=_("Year and month; the day is 1."),
    )

    class Meta:
        ordering = ["name", "code"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | Q(birth_month__day=1),
                name="person_birth_month_first_day",
                violation_error_message=_("The month of birth is stored as its first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEADER = "leader", _("leader")
    DEPUTY = "deputy", _("deputy")


class PostQuerySet(models.QuerySet["Post"]):
    def held_on(self, day: dt.date) -> PostQuerySet:
        """The posts held on `day`: who held which post on date D is this one query."""
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))

    def during_year(self, year: int) -> PostQuerySet:
        """The posts held at some time in calendar year `year` (they overlap [1 Jan, 1 Jan next))."""
        first, after = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        return self.filter(start__lt=after).filter(Q(end__isnull=True) | Q(end__gt=first))

    def current(self) -> PostQuerySet:
        return self.filter(end__isnull=True)

    def past(self) -> PostQuerySet:
        return self.filter(end__isnull=False)


class Post(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="posts", verbose_name=_("person")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("unit")
    )
    role = models.CharField(max_length=16, choices=Role.choices, verbose_name=_("role"))
    title = models.CharField(max_length=50, verbose_name=_("title"))
    start = models.DateField(verbose_name=_("start date"))
    end = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("end date"),
        help_text=_("The first day the post is no longer held; empty while it is held."),
    )
    order = models.PositiveIntegerField(default=100, verbose_name=_("display order"))

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["unit__order", "order", "start"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                name="post_end_after_start",
                violation_error_message=_("The end date must be after the start date."),
            ),
            # One current leader per unit on every database; overlapping periods of
            # two leaders are refused by a trigger (SQLite) or an exclusion
            # constraint (PostgreSQL), see migration 0002.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(role="leader", end__isnull=True),
                name="post_one_current_leader_per_unit",
                violation_error_message=_(
                    "This unit already has a leader in post. End that post first."
                ),
            ),
            models.UniqueConstraint(
                fields=["person", "unit", "title", "start"],
                name="post_unique_person_title_start",
                violation_error_message=_("This person already has this post from this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.unit.name}{self.title}"

    @property
    def is_current(self) -> bool:
        return self.end is None


class RosterProblems(models.Model):
    """The problems of one refused roster import, kept a day for their download.

    The page shows the first ones; all of them, however many, are one click away as a
    workbook. Not part of the organisation (nothing was imported), so not audited.
    """

    created = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    count = models.PositiveIntegerField(verbose_name=_("problems"))
    # gzip of the JSON list [[sheet, row, column, message], ...]
    problems = models.BinaryField()

    class Meta:
        verbose_name = _("roster import problems")
        verbose_name_plural = _("roster import problems")

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} · {self.count}"
