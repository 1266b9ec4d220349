"""Model.from_torch on a small seeded CNN: the secure top-1 equals PyTorch's on every shipped
image, and every score lies within the fixed-point error of PyTorch's float logit."""

import numpy
import pytest

import twain
from conftest import IMAGES

torch = pytest.importorskip("torch")


def small_cnn():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(8 * 7 * 7, 10))


def normalised(path):
    from PIL import Image
    pixels = numpy.asarray(Image.open(path), dtype=numpy.float32)
    return ((pixels / numpy.float32(255) - numpy.float32(0.286)) / numpy.float32(0.353))[None]


def test_from_torch_equals_pytorch_top1():
    net = small_cnn()
    model = twain.Model.from_torch(net, torch.zeros(1, 1, 28, 28), labels=["c%d" % i for i in range(10)])
    assert model.input_shape == [1, 1, 28, 28] and model.labels[3] == "c3"
    for path in IMAGES:
        x = normalised(path)
        with torch.no_grad():
            expected = net(torch.from_numpy(x[None])).numpy()[0]
        pred = twain.local(model, x, topk=10)
        assert pred.index == int(numpy.argmax(expected)), path
        assert max(abs(expected[index] - score) for index, _, score in pred.top_k) < 0.01
