"""Attachments: the type told by the content, the size limited, nothing stored when
refused; downloads pass the record page's access check."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sanhao.lib.errors import DomainError
from sanhao.records.models import RecordAttachment
from sanhao.records.services import attach_file
from sanhao.records.tests.helpers import add

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def office_zip(content_type: str | None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_type:
            archive.writestr(
                "[Content_Types].xml",
                f'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="{content_type}"/></Types>',
            )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


DOCX = office_zip(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(("name", "content", "kind", "offered"), [
    ("会议纪要.pdf", PDF, "pdf", "会议纪要.pdf"),
    ("photo.PNG", PNG, "png", "photo.png"),
    ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg", "scan.jpg"),
    ("../../etc/记录", DOCX, "docx", "记录.docx"),
])  # fmt: skip
def test_it_keeps_a_real_file_under_a_random_name(world, settings, name, content, kind, offered):
    rec = add(world)
    attachment = attach_file(rec, SimpleUploadedFile(name, content), actor=world.liaison_a)
    assert (attachment.kind, attachment.name, attachment.size) == (kind, offered, len(content))
    assert attachment.stored_name.startswith("records/") and offered not in attachment.stored_name
    assert [p.read_bytes() for p in stored_files(settings)] == [content]


@pytest.mark.parametrize(("name", "content"), [
    ("report.pdf", b"MZ\x90\x00" + b"\x00" * 60),  # a Windows executable renamed
    ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("files.docx", office_zip(None)),  # a zip that is not an Office file
    ("macro.docx", office_zip("application/vnd.ms-word.document.macroEnabled.main+xml")),
])  # fmt: skip
def test_it_refuses_what_is_not_an_accepted_type_and_stores_nothing(world, settings, name, content):
    rec = add(world)
    with pytest.raises(DomainError) as error:
        attach_file(rec, SimpleUploadedFile(name, content), actor=world.liaison_a)
    assert "只能上传" in error.value.message
    assert not RecordAttachment.objects.exists() and stored_files(settings) == []


def test_it_refuses_an_oversized_file_and_stores_nothing(world, settings):
    settings.RECORD_FILE_MAX_BYTES = 1024
    rec = add(world)
    with pytest.raises(DomainError) as error:
        attach_file(rec, SimpleUploadedFile("big.pdf", PDF + b"0" * 2000), actor=world.liaison_a)
    assert "大于" in error.value.message
    assert not RecordAttachment.objects.exists() and stored_files(settings) == []


def test_it_refuses_another_units_liaison_to_attach(world):
    rec = add(world, world.b)
    with pytest.raises(DomainError):
        attach_file(rec, SimpleUploadedFile("a.pdf", PDF), actor=world.liaison_a)


def download_url(world, attachment, unit=None):
    return reverse("records:download", kwargs={"pk": world.campaign.pk,
                   "code": (unit or attachment.record.unit).code, "file_pk": attachment.pk})  # fmt: skip


def test_it_serves_a_download_as_an_attachment_to_the_readers(world):
    rec = add(world)
    attachment = attach_file(rec, SimpleUploadedFile('纪"要\r\n.pdf', PDF), actor=world.liaison_a)
    for user in (world.office, world.viewer, world.liaison_a):
        response = world.client_for(user).get(download_url(world, attachment))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and "\r" not in disposition
        assert '"' not in attachment.name


def test_it_refuses_a_download_to_another_units_liaison_and_to_a_judge(world):
    rec = add(world, world.b)
    attachment = attach_file(rec, SimpleUploadedFile("b.pdf", PDF), actor=world.office)
    client = world.client_for(world.liaison_a)
    assert client.get(download_url(world, attachment)).status_code == 404
    assert client.get(download_url(world, attachment, world.a)).status_code == 404
    assert world.client_for(world.judge).get(download_url(world, attachment)).status_code == 403


def test_it_carries_the_attachments_over_to_a_correction(world):
    from sanhao.records.services import correct_record
    from sanhao.records.tests.helpers import everyone

    rec = add(world)
    attach_file(rec, SimpleUploadedFile("a.pdf", PDF), actor=world.liaison_a)
    new = correct_record(rec, held_on=rec.held_on, topic="改", attendance=everyone(world.a),
                         reason="错字", actor=world.liaison_a)  # fmt: skip
    assert [a.name for a in RecordAttachment.objects.filter(record=new)] == ["a.pdf"]
