from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator

from .models import Organisation, OrgType, Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续多次错误后账号将被临时锁定。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码", strip=False, widget=forms.PasswordInput(attrs={"class": "form-control"})
    )
    new_password = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control"}),
        help_text="至少10位，包含小写字母、大写字母、数字、特殊字符中的至少三类。",
    )
    confirm_password = forms.CharField(
        label="确认新密码", strip=False, widget=forms.PasswordInput(attrs={"class": "form-control"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("confirm_password"):
            self.add_error("confirm_password", "两次输入的新密码不一致")
        return data


# ---- organisations and users (system administrator pages) -------------------------------------------

_SMALL = {"class": "form-control form-control-sm"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}


def _pack_choices() -> list[tuple[str, str]]:
    from skillbridge.policy.loader import load_all

    return [(code, f"{pack.name}（{code}）") for code, pack in sorted(load_all().items())]


class OrganisationFilterForm(forms.Form):
    org_type = forms.ChoiceField(
        label="类型",
        required=False,
        choices=[("", "全部类型"), *OrgType.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    region = forms.CharField(
        label="行政区划代码",
        required=False,
        max_length=6,
        validators=[RegexValidator(r"^\d{1,6}$", "行政区划代码前缀须为1至6位数字")],
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "行政区划代码前缀，如 3204"}),
    )
    q = forms.CharField(
        label="名称",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "按名称搜索"}),
    )


class OrganisationForm(forms.Form):
    """Create (all fields) or edit (type fixed: a unit does not change kind, create a new one instead)."""

    name = forms.CharField(
        label="名称", max_length=100, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    org_type = forms.ChoiceField(
        label="类型", choices=OrgType.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    region_code = forms.CharField(
        label="行政区划代码",
        max_length=6,
        help_text="6位数字，如 320481（溧阳市）",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    parent = forms.ModelChoiceField(
        label="上级单位",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="（无）",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    policy_pack = forms.ChoiceField(label="适用政策包", widget=forms.Select(attrs={"class": "form-select"}))
    is_lead_unit = forms.BooleanField(
        label="牵头单位", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    is_active = forms.BooleanField(
        label="启用",
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, instance: Organisation | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "org_type": instance.org_type,
                    "region_code": instance.region_code,
                    "parent": instance.parent_id,
                    "policy_pack": instance.policy_pack,
                    "is_lead_unit": instance.is_lead_unit,
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["policy_pack"].choices = [("", "请选择"), *_pack_choices()]
        parents = Organisation.objects.order_by("region_code", "name")
        if instance is None:
            del self.fields["is_active"]
        else:
            parents = parents.exclude(pk=instance.pk)
            self.fields["org_type"].disabled = True
            self.fields["org_type"].help_text = "单位类型创建后不可修改"
        self.fields["parent"].queryset = parents


class UserFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="所属单位",
        queryset=Organisation.objects.order_by("region_code", "name"),
        required=False,
        empty_label="全部单位",
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    role = forms.ChoiceField(
        label="角色",
        required=False,
        choices=[("", "全部角色"), *Role.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    q = forms.CharField(
        label="姓名",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "按姓名或用户名搜索"}),
    )


class _NewPasswordMixin(forms.Form):
    password = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
        help_text="至少10位，包含小写字母、大写字母、数字、特殊字符中的至少三类；用户首次登录后须修改。",
    )
    confirm_password = forms.CharField(
        label="确认密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm_password"):
            self.add_error("confirm_password", "两次输入的密码不一致")
        return data


class UserCreateForm(_NewPasswordMixin):
    username = forms.CharField(
        label="用户名", max_length=64, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    full_name = forms.CharField(
        label="姓名", max_length=50, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    organisation = forms.ModelChoiceField(
        label="所属单位",
        queryset=Organisation.objects.filter(is_active=True).order_by("region_code", "name"),
        empty_label="请选择",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    roles = forms.MultipleChoiceField(
        label="角色",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="系统管理员、安全管理员、审计管理员三者须分设（三权分立），同一用户只能担任其一。",
    )
    field_order = ["username", "full_name", "organisation", "phone", "roles", "password", "confirm_password"]


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="角色", choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"})
    )


class PasswordResetForm(_NewPasswordMixin):
    pass
