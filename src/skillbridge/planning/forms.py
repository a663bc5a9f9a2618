from django import forms

from skillbridge.accounts.models import Organisation
from skillbridge.approvals.models import ReviewStatus
from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem

from .models import AgreementStatus, PlanCategory, PlanKind
from .services import ItemData

# type="date" inputs only accept ISO dates; the zh-hans default input format (2026/11/22) shows as empty.
ISO_DATE = "%Y-%m-%d"
_INPUT = {"class": "form-control"}
_SMALL = {"class": "form-control form-control-sm"}
_SELECT = {"class": "form-select"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}
_DATE = {"class": "form-control", "type": "date"}
_AREA = {"class": "form-control", "rows": 3}

DEFAULT_UNIT_DUTIES = (
    "提供培训教室、实训场地和必要的设施设备，负责培训期间学员的组织、教育和安全管理；\n"
    "按本协议约定的标准、方式和时间支付培训费用；\n"
    "配合乙方做好学员考勤登记、结业考核和职业技能鉴定（评价）的组织工作。"
)
DEFAULT_INSTITUTION_DUTIES = (
    "选派具有相应资质的专业教师，按照培训计划和教学大纲授课，理论与实操课时比例符合实施方案要求；\n"
    "遵守甲方监管安全和保密规定，服从甲方的现场管理；\n"
    "培训结束后组织考核鉴定，如实提供教学记录、考勤和结业（获证）情况等资料，配合补贴申领。"
)


class PlanFilterForm(forms.Form):
    year = forms.IntegerField(
        label="年度", required=False, min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_SMALL)
    )
    unit = forms.ModelChoiceField(
        label="单位",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="全部单位",
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    kind = forms.ChoiceField(
        label="类型",
        required=False,
        choices=[("", "全部类型"), *PlanKind.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *ReviewStatus.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Organisation.objects.none()


class YearForm(forms.Form):
    year = forms.IntegerField(
        label="计划年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_SMALL)
    )


class PlanHeaderForm(forms.Form):
    year = forms.IntegerField(label="计划年度", min_value=2000, max_value=2100, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="编制说明", required=False, widget=forms.Textarea(attrs={**_AREA, "rows": 2})
    )


class PlanItemForm(forms.Form):
    # The initial matches the first choice, so the formset's blank extra row counts as unchanged (skipped).
    category = forms.ChoiceField(
        label="培训类别",
        choices=PlanCategory.choices,
        initial=PlanCategory.EMPLOYMENT,
        widget=forms.Select(attrs=_SELECT),
    )
    occupation = forms.ModelChoiceField(
        label="职业（工种）",
        required=False,
        queryset=Occupation.objects.filter(level=4).order_by("code"),
        empty_label="—",
        widget=forms.Select(attrs=_SELECT),
    )
    special_item = forms.ModelChoiceField(
        label="专项职业能力",
        required=False,
        queryset=SpecialAbilityItem.objects.none(),
        empty_label="—",
        widget=forms.Select(attrs=_SELECT),
    )
    project_name = forms.CharField(
        label="创业培训项目", required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT)
    )
    level = forms.ModelChoiceField(
        label="等级",
        required=False,
        queryset=SkillLevel.objects.all(),
        empty_label="—",
        widget=forms.Select(attrs=_SELECT),
    )
    # No bounds here: the service's Chinese message names the field (计划培训人数须大于0).
    planned_trainees = forms.IntegerField(label="计划人数", widget=forms.NumberInput(attrs=_INPUT))
    planned_classes = forms.IntegerField(label="计划班次", initial=1, widget=forms.NumberInput(attrs=_INPUT))
    budget = forms.DecimalField(
        label="经费预算（元）",
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**_INPUT, "step": "0.01"}),
        help_text="安徽按人均标准自动测算，可留空",
    )
    note = forms.CharField(label="备注", required=False, max_length=200, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["special_item"].queryset = SpecialAbilityItem.objects.filter(
                region_code__startswith=unit.city_prefix, is_active=True
            )

    def item(self) -> ItemData:
        data = self.cleaned_data
        return ItemData(
            category=data["category"],
            occupation=data["occupation"],
            special_item=data["special_item"],
            project_name=data["project_name"],
            level=data["level"],
            planned_trainees=data["planned_trainees"],
            planned_classes=data["planned_classes"],
            budget=data["budget"],
            note=data["note"],
        )


class BasePlanItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, unit=None, **kwargs):
        self.unit = unit
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "unit": self.unit}

    def items(self) -> list[ItemData]:
        return [f.item() for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


PlanItemFormSet = forms.formset_factory(PlanItemForm, formset=BasePlanItemFormSet, extra=1, can_delete=True)


class AdjustmentForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型",
        choices=[
            (PlanKind.ADJUSTMENT, "计划调整（修订全部项目）"),
            (PlanKind.TEMPORARY, "临时增加项目（申请备案）"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs=_AREA))


class AgreementForm(forms.Form):
    institution = forms.ModelChoiceField(
        label="乙方（培训机构）",
        queryset=Organisation.objects.filter(org_type="training_institution", is_active=True).order_by(
            "name"
        ),
        widget=forms.Select(attrs=_SELECT),
        help_text="须为本市定点培训机构，且定点有效期覆盖整个合作期限",
    )
    unit_address = forms.CharField(
        label="甲方地址", required=False, max_length=200, widget=forms.TextInput(attrs=_INPUT)
    )
    unit_legal_representative = forms.CharField(
        label="甲方法定代表人", required=False, max_length=50, widget=forms.TextInput(attrs=_INPUT)
    )
    unit_contact = forms.CharField(
        label="甲方联系方式", required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT)
    )
    institution_address = forms.CharField(
        label="乙方地址",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="留空则取机构目录信息",
    )
    institution_legal_representative = forms.CharField(
        label="乙方法定代表人", required=False, max_length=50, widget=forms.TextInput(attrs=_INPUT)
    )
    institution_contact = forms.CharField(
        label="乙方联系方式", required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT)
    )
    content = forms.CharField(label="培训内容", widget=forms.Textarea(attrs=_AREA))
    mode = forms.CharField(
        label="培训方式",
        max_length=200,
        initial="理论授课、专题讲座、视频教学与实操训练相结合",
        widget=forms.TextInput(attrs=_INPUT),
    )
    trainees = forms.IntegerField(label="培训人数", widget=forms.NumberInput(attrs=_INPUT))
    valid_from = forms.DateField(label="合作期限自", widget=forms.DateInput(format=ISO_DATE, attrs=_DATE))
    valid_to = forms.DateField(label="合作期限至", widget=forms.DateInput(format=ISO_DATE, attrs=_DATE))
    fee_standard = forms.CharField(
        label="培训费用标准",
        max_length=200,
        initial="本市当年度职业培训补贴标准",
        widget=forms.TextInput(attrs=_INPUT),
    )
    payment_method = forms.CharField(
        label="支付方式",
        max_length=200,
        initial="银行转账至乙方对公账户",
        widget=forms.TextInput(attrs=_INPUT),
    )
    payment_time = forms.CharField(
        label="支付时间",
        max_length=200,
        initial="培训补贴资金拨付到甲方专账后30日内",
        widget=forms.TextInput(attrs=_INPUT),
    )
    unit_duties = forms.CharField(
        label="甲方责任与义务（每行一条）", initial=DEFAULT_UNIT_DUTIES, widget=forms.Textarea(attrs=_AREA)
    )
    institution_duties = forms.CharField(
        label="乙方责任与义务（每行一条）",
        initial=DEFAULT_INSTITUTION_DUTIES,
        widget=forms.Textarea(attrs=_AREA),
    )
    copies = forms.IntegerField(label="协议份数", initial=4, widget=forms.NumberInput(attrs=_INPUT))

    def fields_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("institution", None)
        return data


class AgreementSignForm(forms.Form):
    unit_signatory = forms.CharField(label="甲方签字人", max_length=50, widget=forms.TextInput(attrs=_INPUT))
    unit_signed_on = forms.DateField(
        label="甲方签订日期", required=False, widget=forms.DateInput(format=ISO_DATE, attrs=_DATE)
    )
    institution_signatory = forms.CharField(
        label="乙方签字人", max_length=50, widget=forms.TextInput(attrs=_INPUT)
    )
    institution_signed_on = forms.DateField(
        label="乙方签订日期", required=False, widget=forms.DateInput(format=ISO_DATE, attrs=_DATE)
    )


class AgreementTerminateForm(forms.Form):
    terminated_on = forms.DateField(
        label="终止日期", required=False, widget=forms.DateInput(format=ISO_DATE, attrs=_DATE)
    )
    termination_reason = forms.CharField(
        label="终止原因", required=False, max_length=200, widget=forms.TextInput(attrs=_INPUT)
    )


class AgreementFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *AgreementStatus.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    q = forms.CharField(
        label="编号或机构", required=False, max_length=50, widget=forms.TextInput(attrs=_SMALL)
    )
