"""Shared fixtures: the shipped Fashion-MNIST model and images, the CLI (the tests' oracle), a
server serving that model for the whole run."""

import glob
import json
import os
import subprocess
import sys

import pytest

import twain

SOURCE_DIR = os.environ.get("TWAIN_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
MODEL = os.path.join(SOURCE_DIR, "models", "fashion_mnist", "model.onnx")
IMAGES = sorted(glob.glob(os.path.join(SOURCE_DIR, "models", "fashion_mnist", "images", "*.png")))
TROUSER = os.path.join(SOURCE_DIR, "models", "fashion_mnist", "images", "0002_trouser.png")


def cli_path():
    path = os.environ.get("TWAIN_CLI")
    if not path:
        pytest.skip("TWAIN_CLI (the twain executable) is not set; ctest sets it")
    return path


def run_cli(*args, json_file):
    """Runs the twain CLI and returns its --json report."""
    subprocess.run([cli_path(), *args, "--json", str(json_file)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)
    with open(json_file, encoding="utf-8") as f:
        return json.load(f)


def top_of(report):
    """[(index, label, score), ...] of a --json report, the form of Prediction.top_k."""
    return [(entry["index"], entry["label"], entry["score"]) for entry in report["top_k"]]


def python_env():
    """The environment a child Python process needs to import twain from the build."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [os.path.dirname(os.path.dirname(twain.__file__)),
                                                    env.get("PYTHONPATH", "")] if p)
    return env


def child(code, **kwargs):
    """A child Python process running `code` (stdout piped, line-buffered)."""
    return subprocess.Popen([sys.executable, "-u", "-c", code], env=python_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.fixture(scope="session")
def model():
    return twain.Model(MODEL)


@pytest.fixture(scope="session")
def server(model):
    """A server of the model for the whole run: up to 10 classes, logits allowed."""
    serving = twain.Server(model, port=0, max_topk=10, allow_logits=True)
    with serving.serving():
        yield serving
