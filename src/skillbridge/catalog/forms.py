from django import forms

from .models import INSTITUTION_TYPES, CertificateType, Occupation, SkillLevel, SpecialAbilityItem

_C = {"class": "form-control"}
_S = {"class": "form-select"}
_SMALL = {"class": "form-control form-control-sm"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}
_DATE = {"class": "form-control", "type": "date"}


class OccupationCodeField(forms.CharField):
    """A CSCO code typed by the user, cleaned to the Occupation (level 4 unless `any_level`)."""

    def __init__(self, *args, any_level=False, **kwargs):
        self.any_level = any_level
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("widget", forms.TextInput(attrs={**_C, "placeholder": "如 6-31-01-03"}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        occupation = Occupation.objects.filter(code=code.strip()).first()
        if occupation is None:
            raise forms.ValidationError(f"职业编码“{code}”不在国家职业分类大典（2022）中")
        if not self.any_level and occupation.level != 4:
            raise forms.ValidationError(f"“{code}”是{occupation.level_name}编码，请填写职业（细类）编码")
        return occupation


class OccupationFilterForm(forms.Form):
    q = forms.CharField(
        label="编码或名称",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "编码前缀（如 4-03）或名称关键字"}),
    )
    level = forms.TypedChoiceField(
        label="层级",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全部层级"), *Occupation.LEVEL_NAMES.items()],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )


class StandardFilterForm(forms.Form):
    region = forms.RegexField(
        label="地区",
        regex=r"^\d{6}$",
        required=False,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "市行政区划代码，如 320400"}),
        error_messages={"invalid": "地区须为6位行政区划代码"},
    )
    year = forms.IntegerField(
        label="年度", required=False, min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_SMALL)
    )
    q = forms.CharField(
        label="职业",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "职业编码前缀或名称"}),
    )
    history = forms.BooleanField(label="含已调整的历史标准", required=False)


class StandardForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_C)
    )
    occupation = OccupationCodeField(label="职业编码", required=False, help_text="与专项职业能力二选一")
    special_item = forms.ModelChoiceField(
        label="专项职业能力",
        required=False,
        queryset=SpecialAbilityItem.objects.none(),
        widget=forms.Select(attrs=_S),
    )
    level = forms.ModelChoiceField(
        label="等级", required=False, queryset=SkillLevel.objects.all(), widget=forms.Select(attrs=_S)
    )
    certificate_type = forms.ModelChoiceField(
        label="证书类型", queryset=CertificateType.objects.all(), widget=forms.Select(attrs=_S)
    )
    amount = forms.DecimalField(
        label="补贴标准（元）",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs=_C),
    )
    valid_from = forms.DateField(
        label="生效日期",
        required=False,
        widget=forms.DateInput(attrs=_DATE),
        help_text="为空则自当年1月1日起",
    )
    note = forms.CharField(label="备注", required=False, max_length=200, widget=forms.TextInput(attrs=_C))

    def __init__(self, *args, region_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["special_item"].queryset = SpecialAbilityItem.objects.filter(
            region_code=region_code, is_active=True
        )


class StandardChangeForm(forms.Form):
    amount = forms.DecimalField(
        label="新补贴标准（元）",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs=_C),
    )
    effective_on = forms.DateField(label="调整生效日期", widget=forms.DateInput(attrs=_DATE))
    note = forms.CharField(
        label="调整依据/备注", required=False, max_length=200, widget=forms.TextInput(attrs=_C)
    )


class ShortageForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_C)
    )
    occupation = OccupationCodeField(label="职业编码")
    note = forms.CharField(label="备注", required=False, max_length=200, widget=forms.TextInput(attrs=_C))


class SpecialItemForm(forms.Form):
    code = forms.CharField(label="项目编码", max_length=30, widget=forms.TextInput(attrs=_C))
    name = forms.CharField(label="项目名称", max_length=100, widget=forms.TextInput(attrs=_C))
    occupation = OccupationCodeField(label="对应职业编码", required=False)


class ProfileForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, widget=forms.TextInput(attrs=_C))
    legal_representative = forms.CharField(
        label="法定代表人", max_length=50, widget=forms.TextInput(attrs=_C)
    )
    address = forms.CharField(label="地址", max_length=200, widget=forms.TextInput(attrs=_C))
    contact_person = forms.CharField(label="联系人", max_length=50, widget=forms.TextInput(attrs=_C))
    contact_phone = forms.CharField(label="联系电话", max_length=30, widget=forms.TextInput(attrs=_C))
    bank_name = forms.CharField(
        label="开户银行", required=False, max_length=100, widget=forms.TextInput(attrs=_C)
    )
    bank_account = forms.CharField(
        label="银行账号", required=False, max_length=40, widget=forms.TextInput(attrs=_C)
    )
    qualifications = forms.CharField(
        label="资质", required=False, max_length=2000, widget=forms.Textarea(attrs={**_C, "rows": 3})
    )
    capacity = forms.IntegerField(
        label="年培训（鉴定）能力（人次）", min_value=0, initial=0, widget=forms.NumberInput(attrs=_C)
    )


class ApprovedOccupationForm(forms.Form):
    occupation = OccupationCodeField(label="职业编码")
    levels = forms.ModelMultipleChoiceField(
        label="等级", required=False, queryset=SkillLevel.objects.all(), widget=forms.CheckboxSelectMultiple
    )


class DishonestyForm(forms.Form):
    source = forms.CharField(label="来源（认定部门/文书）", max_length=200, widget=forms.TextInput(attrs=_C))
    recorded_on = forms.DateField(label="认定日期", widget=forms.DateInput(attrs=_DATE))
    until = forms.DateField(
        label="有效期至", required=False, widget=forms.DateInput(attrs=_DATE), help_text="为空表示长期有效"
    )
    description = forms.CharField(
        label="失信情形", max_length=2000, widget=forms.Textarea(attrs={**_C, "rows": 3})
    )


class CallForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200, widget=forms.TextInput(attrs=_C))
    content = forms.CharField(
        label="公告内容", required=False, max_length=20000, widget=forms.Textarea(attrs={**_C, "rows": 6})
    )
    deadline = forms.DateField(label="申报截止日期", widget=forms.DateInput(attrs=_DATE))
    period_from = forms.DateField(label="定点有效期起", widget=forms.DateInput(attrs=_DATE))
    period_to = forms.DateField(label="定点有效期止", widget=forms.DateInput(attrs=_DATE))


class ApplyForm(forms.Form):
    occupations = forms.CharField(
        label="申报职业（工种）编码",
        max_length=2000,
        widget=forms.TextInput(
            attrs={**_C, "placeholder": "多个编码以空格或逗号分隔，如 4-03-02-01 6-31-01-03"}
        ),
    )
    statement = forms.CharField(
        label="申报说明", required=False, max_length=5000, widget=forms.Textarea(attrs={**_C, "rows": 3})
    )

    def clean_occupations(self):
        codes = [
            c for c in self.cleaned_data["occupations"].replace("，", ",").replace(",", " ").split() if c
        ]
        found = {o.code: o for o in Occupation.objects.filter(code__in=codes, level=4)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(f"以下编码不是职业（细类）编码：{'、'.join(missing)}")
        return list(found.values())


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="认定结论", choices=[("approve", "予以认定"), ("reject", "不予认定")], widget=forms.RadioSelect
    )
    opinion = forms.CharField(label="意见", required=False, max_length=500, widget=forms.TextInput(attrs=_C))
    valid_from = forms.DateField(
        label="有效期起",
        required=False,
        widget=forms.DateInput(attrs=_DATE),
        help_text="为空则按公告的定点有效期",
    )
    valid_to = forms.DateField(label="有效期止", required=False, widget=forms.DateInput(attrs=_DATE))


class ExemptForm(forms.Form):
    institution = forms.ModelChoiceField(label="机构", queryset=None, widget=forms.Select(attrs=_S))
    valid_from = forms.DateField(label="有效期起", widget=forms.DateInput(attrs=_DATE))
    valid_to = forms.DateField(label="有效期止", widget=forms.DateInput(attrs=_DATE))
    basis_note = forms.CharField(
        label="免于重新认定的依据",
        max_length=500,
        widget=forms.TextInput(
            attrs={**_C, "placeholder": "如：已经认定的定点培训机构，无失信记录（常司发〔2022〕42号 五(二)）"}
        ),
    )

    def __init__(self, *args, region_code: str, **kwargs):
        from skillbridge.accounts.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Organisation.objects.filter(
            org_type__in=INSTITUTION_TYPES, designations__region_code=region_code, is_active=True
        ).distinct()


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=500, widget=forms.TextInput(attrs=_C))
    effective_on = forms.DateField(
        label="撤销生效日期", required=False, widget=forms.DateInput(attrs=_DATE), help_text="为空则自今日起"
    )


class DesignationFilterForm(forms.Form):
    region = forms.RegexField(
        label="地区",
        regex=r"^\d{6}$",
        required=False,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "市行政区划代码"}),
        error_messages={"invalid": "地区须为6位行政区划代码"},
    )
    on = forms.DateField(
        label="有效日期", required=False, widget=forms.DateInput(attrs={**_SMALL, "type": "date"})
    )
    q = forms.CharField(
        label="机构",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "机构名称"}),
    )
