"""The S3-compatible store, against a real S3 server process (moto) on 127.0.0.1."""

import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import file_samples as samples
from tests.helpers import CSRFClient, add_user, base_config, log_in, release
from wiki import create_app
from wiki.extensions import db
from wiki.files import integrity, storage
from wiki.files.models import FileBlob

KEY = {"FILE_S3_ACCESS_KEY_ID": "testing", "FILE_S3_SECRET_ACCESS_KEY": "testing"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """Start an S3-compatible server (moto) on a free local port; yield its URL."""
    program = Path(sys.executable).with_name("moto_server")
    if not program.exists():
        program = shutil.which("moto_server")
    if program is None:
        pytest.skip("the S3 tests need moto's server (pip install 'moto[server]')")
    port = free_port()
    process = subprocess.Popen(
        [str(program), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the S3 server did not start")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_app(database_url, tmp_path, s3_endpoint):
    """Return an app whose files live in a fresh bucket of the S3 server."""
    bucket = f"bottega-{uuid.uuid4().hex[:12]}"
    config = (
        base_config(tmp_path, database_url)
        | KEY
        | {
            "FILE_STORAGE": "s3",
            "FILE_S3_BUCKET": bucket,
            "FILE_S3_ENDPOINT_URL": s3_endpoint,
            "FILE_S3_REGION": "us-east-1",
            "FILE_S3_PREFIX": "wiki",
        }
    )
    app = create_app(config)
    app.test_client_class = CSRFClient
    with app.app_context():
        storage.store().client.create_bucket(Bucket=bucket)
        add_user("alice")
        yield app
        release(app)


def logged_in(app):
    client = app.test_client()
    log_in(client, "alice")
    return client


def test_uploads_and_thumbnails_live_in_the_bucket(s3_app):
    client = logged_in(s3_app)
    assert samples.upload(client, samples.jpeg(1600, 900), "Hero.jpg").status_code == 302
    store = storage.store()
    sha = db.session.scalar(select(FileBlob.sha256))
    keys = set(store.keys(""))
    assert keys == {storage.original_key(sha)}
    listing = store.client.list_objects_v2(Bucket=store.bucket)["Contents"]
    assert listing[0]["Key"].startswith("wiki/originals/")
    assert not list((Path(s3_app.instance_path) / "files").rglob("*"))  # nothing local

    original = client.get(f"/media/{sha}/Hero.jpg", buffered=True)
    assert original.status_code == 200 and original.headers["Content-Type"] == "image/jpeg"
    assert original.get_data() == store.read(storage.original_key(sha))
    thumb = client.get(f"/thumb/{sha}/320.jpg", buffered=True)
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert store.exists(storage.thumb_key(sha, 320, ".jpg"))
    assert client.get(f"/thumb/{sha}/320.jpg", buffered=True).get_data() == thumb.get_data()


def test_the_same_bytes_go_to_the_bucket_once(s3_app):
    client = logged_in(s3_app)
    samples.upload(client, samples.png(), "One.png")
    samples.upload(client, samples.png(), "Two.png")
    assert len(list(storage.store().keys("originals/"))) == 1


def test_check_finds_damaged_and_missing_objects_in_the_bucket(s3_app):
    client = logged_in(s3_app)
    samples.upload(client, samples.png(), "One.png")
    samples.upload(client, samples.gif(), "Two.gif")
    assert integrity.check_files() == []
    store = storage.store()
    png_sha, gif_sha = (
        db.session.scalar(select(FileBlob.sha256).where(FileBlob.media_type == kind))
        for kind in ("image/png", "image/gif")
    )
    store.put_bytes(storage.original_key(png_sha), b"not the same bytes", "image/png")
    store.delete(storage.original_key(gif_sha))
    problems = integrity.check_files()
    assert len(problems) == 2
    assert any("do not match" in p and png_sha in p for p in problems)
    assert any("missing" in p and gif_sha in p for p in problems)


def test_files_copy_out_of_and_back_into_the_bucket(s3_app, tmp_path):
    client = logged_in(s3_app)
    samples.upload(client, samples.png(), "One.png")
    folder = tmp_path / "export"
    assert integrity.export_files(folder, say=lambda _: None) == 1
    assert integrity.export_files(folder, say=lambda _: None) == 0  # only what is new
    store = storage.store()
    for key in list(store.keys("")):
        store.delete(key)
    assert integrity.check_files() != []
    assert integrity.import_files(folder, say=lambda _: None) == 1
    assert integrity.check_files() == []
