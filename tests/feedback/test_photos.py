"""Photos: images only, no decompression bombs, and no metadata (GPS above all) in storage."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests import factories_feedback as ff
from thudo.core.errors import InvalidInput
from thudo.feedback import photos
from thudo.feedback.models import Report

pytestmark = pytest.mark.django_db


def test_stored_photo_has_no_exif_and_no_gps():
    original = ff.jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo has GPS
    p = ff.place()
    r = ff.report(p, photos=[("hien-truong.jpg", original)])
    stored = r.photos.get()
    with stored.file.open("rb") as fh:
        data = fh.read()
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    assert len(img.getexif()) == 0
    assert not img.getexif().get_ifd(0x8825)
    assert "exif" not in img.info and "xmp" not in img.info
    assert b"Exif" not in data[:4096] and b"CameraMaker" not in data


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved():
    p = ff.place()
    with pytest.raises(InvalidInput) as err:
        ff.report(p, photos=[("thu.jpg", b"%PDF-1.4 not an image")])
    assert "không phải là ảnh" in err.value.message
    assert "photos" in err.value.fields
    assert not Report.objects.exists()


def test_a_decompression_bomb_is_refused():
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")  # 144 megapixels in a few kilobytes
    with pytest.raises(InvalidInput) as err:
        photos.clean(buf.getvalue(), "bom.png")
    assert "quá lớn" in err.value.message


def test_a_report_over_the_size_limit_is_refused(settings):
    settings.THUDO = {**settings.THUDO, "MAX_UPLOAD_MB": 1}
    p = ff.place()
    big = ff.jpeg() + b"\0" * (1024 * 1024)
    with pytest.raises(InvalidInput) as err:
        ff.report(p, photos=[("a.jpg", big)])
    assert "dung lượng" in err.value.message
    assert not Report.objects.exists()


def test_png_keeps_its_format_and_loses_its_text_chunks():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("GPS", "21.03,105.85")
    buf = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buf, "PNG", pnginfo=info)
    clean = photos.clean(buf.getvalue(), "a.png")
    img = Image.open(io.BytesIO(clean.data))
    assert img.format == "PNG" and "GPS" not in img.info
