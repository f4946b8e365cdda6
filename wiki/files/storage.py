"""Where uploaded bytes live: one interface, a local folder or an S3-compatible bucket.

Both are content-addressed: an original is stored under its SHA-256, so the same bytes are
stored once however many files or versions use them, and a stored object never changes.
Thumbnails are kept beside them and can always be made again from the original.
"""

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app

#: Bump when thumbnails are made differently: their URLs and keys change with it.
THUMB_VERSION = 1
EXTENSION = "bottega_file_store"
CHUNK = 1024 * 1024


class MissingObject(LookupError):
    """The store has nothing under this key."""


def original_key(sha256: str) -> str:
    """Return the key of an original file's bytes."""
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def thumb_key(sha256: str, width: int, extension: str) -> str:
    """Return the key of a thumbnail of an original, at a width."""
    return f"thumbs/v{THUMB_VERSION}/{sha256[:2]}/{sha256}/{width}{extension}"


class Store(ABC):
    """A place to keep immutable objects by key."""

    #: A folder on this machine for uploads being received (on the store's disk if local).
    scratch: Path

    @abstractmethod
    def put(self, key: str, path: Path, media_type: str) -> None:
        """Store the file at path under key (the file may be moved away); keep what is there."""

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, media_type: str) -> None:
        """Store bytes under key, replacing what is there."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Return whether something is stored under key."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Return a readable stream of the object, or raise MissingObject."""

    @abstractmethod
    def keys(self, prefix: str) -> Iterator[str]:
        """Yield the keys that start with prefix."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object (thumbnails only: originals are never deleted)."""

    def local_path(self, key: str) -> Path | None:
        """Return the object's file on this machine, if the store keeps one, else None."""
        return None

    def read(self, key: str) -> bytes:
        """Return a (small) object's bytes."""
        with self.open(key) as stream:
            return stream.read()


class LocalStore(Store):
    """Objects as files under a folder; writes are atomic (a temporary file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.scratch = root / "tmp"
        self.scratch.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, path: Path, media_type: str) -> None:
        target = self._path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Same disk as the scratch folder: a rename, not a copy, and never half a file.
        if path.parent == self.scratch:
            os.replace(path, target)
        else:
            self._write(target, lambda handle: _copy(path, handle))

    def put_bytes(self, key: str, data: bytes, media_type: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._write(target, lambda handle: handle.write(data))

    def _write(self, target: Path, write) -> None:
        """Write through a temporary file beside target, synced, then renamed over it."""
        fd, temporary = tempfile.mkstemp(dir=self.scratch)
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise MissingObject(key) from None

    def keys(self, prefix: str) -> Iterator[str]:
        base = self._path(prefix)
        folder = base if base.is_dir() else base.parent
        if not folder.exists():
            return
        for path in sorted(folder.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix):
                yield key

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None


def _copy(path: Path, handle) -> None:
    with path.open("rb") as source:
        shutil.copyfileobj(source, handle, CHUNK)


class S3Store(Store):
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, ...), through boto3."""

    def __init__(self, config: dict, scratch: Path) -> None:
        import boto3  # only sites that use S3 pay for importing it
        from botocore.config import Config

        self.bucket = config["FILE_S3_BUCKET"]
        self.prefix = config.get("FILE_S3_PREFIX", "").strip("/")
        credentials = {}
        if config.get("FILE_S3_ACCESS_KEY_ID"):
            credentials = {
                "aws_access_key_id": config["FILE_S3_ACCESS_KEY_ID"],
                "aws_secret_access_key": config["FILE_S3_SECRET_ACCESS_KEY"],
            }
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=config.get("FILE_S3_ENDPOINT_URL") or None,
            region_name=config.get("FILE_S3_REGION") or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
            **credentials,
        )
        self.scratch = scratch
        self.scratch.mkdir(parents=True, exist_ok=True)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, path: Path, media_type: str) -> None:
        if self.exists(key):
            return
        # Multipart for large files, streamed from disk.
        self.client.upload_file(
            str(path), self.bucket, self._key(key), ExtraArgs={"ContentType": media_type}
        )

    def put_bytes(self, key: str, data: bytes, media_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=media_type
        )

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise MissingObject(key) from None
            raise
        return answer["Body"]

    def keys(self, prefix: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(prefix)
        )
        strip = len(self.prefix) + 1 if self.prefix else 0
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][strip:]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def make_store(config: dict, instance_path: str) -> Store:
    """Return the store the configuration names."""
    if config.get("FILE_STORAGE", "local") == "s3":
        return S3Store(config, Path(instance_path) / "tmp")
    root = Path(config.get("FILE_PATH") or Path(instance_path) / "files")
    return LocalStore(root)


def init_app(app: Flask) -> None:
    """Open the app's store once (an S3 client is reused by every request)."""
    app.extensions[EXTENSION] = make_store(app.config, app.instance_path)


def store() -> Store:
    """Return the current app's store."""
    return current_app.extensions[EXTENSION]
