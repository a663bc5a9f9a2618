"""Verify a scanned certificate QR code offline: `skillbridge verify_certificate "<扫描内容>"`.

Needs only the public key (the platform's own by default, or `--public-key file.pem` downloaded from
/certificates/public-key.pem); no database access. Prints the signed record in Chinese.
"""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management.base import BaseCommand, CommandError

from skillbridge.certificates import signing

LABELS = [
    ("name", "持证人（已遮蔽）"),
    ("type", "证书类型"),
    ("occupation", "职业（工种）"),
    ("item", "专项职业能力"),
    ("level", "等级"),
    ("number", "证书编号"),
    ("issuer", "发证机构"),
    ("date", "发证日期"),
    ("code", "查验码"),
    ("kid", "签名密钥编号"),
]


class Command(BaseCommand):
    help = "离线核验证书二维码：校验 Ed25519 签名并显示签名记录"

    def add_arguments(self, parser):
        parser.add_argument("payload", help="扫描二维码得到的完整网址，或其中 p= 后的内容")
        parser.add_argument("--public-key", help="公钥 PEM 文件（缺省用本平台的签名密钥）")

    def handle(self, *args, payload, public_key=None, **options):
        key = None
        if public_key:
            try:
                key = serialization.load_pem_public_key(Path(public_key).read_bytes())
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取公钥文件：{exc}") from exc
            if not isinstance(key, Ed25519PublicKey):
                raise CommandError("公钥须为 Ed25519 公钥")
        try:
            record = signing.verify_token(signing.token_from_scan(payload), key)
        except signing.PayloadInvalid as exc:
            raise CommandError(
                f"核验失败：二维码内容无效（{exc}），可能被篡改或不是本平台签发的证书"
            ) from exc
        self.stdout.write(self.style.SUCCESS("核验通过：签名有效，以下证书信息未被篡改。"))
        for key_name, label in LABELS:
            value = record.get(key_name)
            if value:
                self.stdout.write(f"{label}：{value}")
        self.stdout.write("提示：离线核验只能证明证书信息真实；证书是否已撤销或换发，请以联网查验页面为准。")
