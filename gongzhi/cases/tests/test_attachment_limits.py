"""Photos are judged from their header before any pixel is decoded: a small file declaring
20000×20000 pixels is refused with a clear message, and a photo cut short is refused or read,
never a crash while its thumbnail is made."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.cases.attachments import DEFAULT_MAX_PIXELS, _thumbnail, validate_files
from gongzhi.testing.hostile import photo, png_declaring


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def refusal(data: bytes, name: str = "x.png") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_files([upload(name, data)])
    return caught.value.message_dict["files"]


def test_pillow_guard_is_the_same_cap():
    assert Image.MAX_IMAGE_PIXELS == DEFAULT_MAX_PIXELS


@pytest.mark.parametrize(
    "size",
    [
        (20000, 20000),  # 400 MP: Pillow's DecompressionBombError
        (7000, 6000),  # 42 MP: between the cap and twice it, Pillow only warns
        (1, 50_000_000),  # a ribbon: few bytes a row, still too many pixels
    ],
)
def test_an_image_declaring_too_many_pixels_is_refused_from_its_header(size):
    bomb = png_declaring(*size)
    assert len(bomb) < 100
    assert refusal(bomb, "bomb.png") == ["bomb.png 像素过多（上限 40 百万像素），请缩小后再上传"]


def test_an_image_at_the_cap_is_judged_on_its_content():
    # 40 MP declared but no pixel data: not too many pixels. Whether it is then refused as
    # damaged depends on Pillow's process-wide LOAD_TRUNCATED_IMAGES, which WeasyPrint turns on
    # when imported (a process that has rendered a PDF reads it as a grey picture).
    try:
        validate_files([upload("x.png", png_declaring(8000, 5000))])
    except ValidationError as exc:
        assert exc.message_dict["files"] == ["x.png 不是图片或已损坏（仅支持 JPG、PNG、WebP）"]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_cut_short_is_refused_or_read_never_a_crash(fmt):
    whole = photo(fmt, (200, 150))
    refused = 0
    for cut in range(8, len(whole), max(1, len(whole) // 30)):
        part = upload(f"cut.{fmt.lower()}", whole[:cut])
        try:
            validate_files([part])
        except ValidationError as exc:
            assert exc.message_dict["files"] == [
                f"cut.{fmt.lower()} 不是图片或已损坏（仅支持 JPG、PNG、WebP）"
            ]
            refused += 1
        else:
            assert _thumbnail(part).size > 0  # what passes can be thumbnailed in the write
    assert refused > 0


def test_whole_photos_pass():
    validate_files([upload(f"ok.{fmt.lower()}", photo(fmt)) for fmt in ("JPEG", "PNG", "WEBP")])
