from django import forms

from skillbridge.accounts.models import Organisation
from skillbridge.policy.schema import POPULATION_CATEGORIES

from .models import Education, EpisodeKind, EpisodeStatus, ReleaseDateChange, Sex

_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_SMALL = {"class": "form-control form-control-sm"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}
_DATE = {"class": "form-control", "type": "date"}
TRI_STATE = [("", "未登记"), ("1", "是（有）"), ("0", "否（无）")]


def _tri(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=TRI_STATE,
        coerce=lambda v: v == "1",
        empty_value=None,
        widget=forms.Select(attrs=_SELECT),
    )


class UnitFilterForm(forms.Form):
    """A list filter whose unit choices are the user's units (``selectors.units_for_user``)."""

    unit = forms.ModelChoiceField(
        label="单位",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="全部单位",
        widget=forms.Select(attrs=_SELECT_SMALL),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Organisation.objects.none()


class PersonFilterForm(UnitFilterForm):
    q = forms.CharField(label="姓名或身份证号码", required=False, max_length=50)
    category = forms.ChoiceField(
        label="人员类别",
        required=False,
        choices=[("", "全部类别"), *POPULATION_CATEGORIES.items()],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    field_order = ["q", "unit", "category"]


class EpisodeFilterForm(UnitFilterForm):
    q = forms.CharField(
        label="姓名、罪犯编号或身份证号码",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "姓名或编号（前缀），或18位身份证号码"}),
    )
    kind = forms.ChoiceField(
        label="类型",
        required=False,
        choices=[("", "全部类型"), *EpisodeKind.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *EpisodeStatus.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    release_from = forms.DateField(
        label="预计释放日期自", required=False, widget=forms.DateInput(attrs={**_SMALL, "type": "date"})
    )
    release_to = forms.DateField(
        label="至", required=False, widget=forms.DateInput(attrs={**_SMALL, "type": "date"})
    )
    field_order = ["q", "unit", "kind", "status", "release_from", "release_to"]

    def clean(self):
        data = super().clean()
        start, end = data.get("release_from"), data.get("release_to")
        if start and end and start > end:
            self.add_error("release_to", "预计释放日期的截止日期不能早于起始日期")
        return data

    def filters(self) -> dict:
        """The valid filters as ``selectors.episode_search`` takes them."""
        data = self.cleaned_data
        return {
            "q": data["q"],
            "unit_id": data["unit"].pk if data["unit"] else None,
            "kind": data["kind"] or None,
            "status": data["status"] or None,
            "release_from": data["release_from"],
            "release_to": data["release_to"],
        }


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs=_INPUT))
    id_number = forms.CharField(
        label="身份证号码", max_length=18, min_length=15, widget=forms.TextInput(attrs=_INPUT)
    )
    birth_date = forms.DateField(
        label="出生日期", required=False, widget=forms.DateInput(attrs=_DATE), help_text="不填则按身份证号码"
    )
    sex = forms.ChoiceField(
        label="性别",
        required=False,
        choices=[("", "按身份证号码"), *Sex.choices],
        widget=forms.Select(attrs=_SELECT),
    )
    ethnicity = forms.CharField(
        label="民族", max_length=20, initial="汉族", required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    education = forms.ChoiceField(
        label="文化程度",
        required=False,
        choices=[("", "未登记"), *Education.choices],
        widget=forms.Select(attrs=_SELECT),
    )
    household_registration = forms.CharField(
        label="户籍地", max_length=200, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    population_category = forms.ChoiceField(
        label="人员类别", choices=list(POPULATION_CATEGORIES.items()), widget=forms.Select(attrs=_SELECT)
    )
    is_disabled = forms.BooleanField(label="残疾人", required=False)
    is_low_income = forms.BooleanField(label="低收入（低保）", required=False)
    phone = forms.CharField(
        label="联系电话", max_length=30, required=False, widget=forms.TextInput(attrs=_INPUT)
    )


class EpisodeForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=EpisodeKind.choices, widget=forms.Select(attrs=_SELECT))
    inmate_number = forms.CharField(
        label="罪犯编号/案件编号", max_length=30, widget=forms.TextInput(attrs=_INPUT)
    )
    term_start = forms.DateField(label="刑期（隔离期）起日", widget=forms.DateInput(attrs=_DATE))
    term_end = forms.DateField(
        label="刑期（隔离期）止日", required=False, widget=forms.DateInput(attrs=_DATE)
    )
    expected_release_date = forms.DateField(label="预计释放（解除）日期", widget=forms.DateInput(attrs=_DATE))
    labour_capacity = _tri("有劳动能力")
    has_skill = _tri("有一技之长")
    skill = forms.CharField(
        label="一技之长（内容）", max_length=100, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    can_study = _tri("能正常坚持学习")
    employment_intention = forms.CharField(
        label="就业意向", max_length=100, required=False, widget=forms.TextInput(attrs=_INPUT)
    )


class UnitEpisodeForm(EpisodeForm):
    unit = forms.ModelChoiceField(
        label="所在单位", queryset=Organisation.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    field_order = ["unit"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Organisation.objects.none()
        if units is not None and units.count() == 1:
            self.fields["unit"].initial = units.first().pk


class ReleaseChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label="变更类型", choices=ReleaseDateChange.Kind.choices, widget=forms.Select(attrs=_SELECT)
    )
    decided_on = forms.DateField(label="裁定日期", widget=forms.DateInput(attrs=_DATE))
    new_release_date = forms.DateField(label="新预计释放日期", widget=forms.DateInput(attrs=_DATE))
    reason = forms.CharField(
        label="依据/理由",
        max_length=500,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "如减刑裁定书文号"}),
    )


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(
        label="新状态", choices=EpisodeStatus.choices, widget=forms.Select(attrs=_SELECT)
    )
    changed_on = forms.DateField(label="变动日期", widget=forms.DateInput(attrs=_DATE))
    to_unit = forms.ModelChoiceField(
        label="调往单位（调出时）",
        required=False,
        queryset=Organisation.objects.filter(
            org_type__in=("prison", "rehab_centre", "community_correction_office"), is_active=True
        ),
        widget=forms.Select(attrs=_SELECT),
    )
    new_inmate_number = forms.CharField(
        label="调入单位编号（不填沿用原编号）",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=_INPUT),
    )
    note = forms.CharField(label="说明", max_length=500, required=False, widget=forms.TextInput(attrs=_INPUT))


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="查看事由",
        min_length=2,
        max_length=500,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "如：核对补贴申领人身份"}),
        error_messages={
            "required": "请填写查看完整身份证号码的事由",
            "min_length": "请填写查看事由（至少2个字）",
        },
    )


class DuplicateClearForm(forms.Form):
    note = forms.CharField(
        label="核查说明",
        max_length=500,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "如：经核对户籍资料，系同名同生日的两人"}),
        error_messages={"required": "请填写核查说明"},
    )


class SurveyForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="单位", queryset=Organisation.objects.none(), widget=forms.Select(attrs=_SELECT_SMALL)
    )
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_SMALL)
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Organisation.objects.none()
