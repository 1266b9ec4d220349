"""The public surface: a docstring on every public name, and type stubs that declare them all."""

import ast
import inspect
import os

import twain

PUBLIC = sorted(set(twain.__all__) | {"ImportError", "TimeoutError", "SystemError"})


def test_every_public_name_has_a_docstring():
    assert twain.__doc__
    for name in PUBLIC:
        obj = getattr(twain, name)
        assert inspect.getdoc(obj), name
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for member, value in vars(obj).items():
                if not member.startswith("_") and (callable(value) or isinstance(value, property)):
                    assert inspect.getdoc(value), "%s.%s" % (name, member)


def test_stubs_declare_every_public_name():
    stub = os.path.join(os.path.dirname(twain.__file__), "__init__.pyi")
    with open(stub, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    declared = {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    assert set(PUBLIC) <= declared
    assert os.path.exists(os.path.join(os.path.dirname(twain.__file__), "py.typed"))
