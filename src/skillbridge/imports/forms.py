from django import forms


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Excel文件（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
        error_messages={"required": "请选择要上传的文件", "empty": "上传的文件为空"},
    )
