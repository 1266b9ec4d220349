"""What the apps tests compare a `twain query` against: the fixed-point evaluator's top-1 as
`twain plain` prints it, and the top-1 a query printed."""
import re
import subprocess


def reference(twain, model, image):
    """(index, score) of the fixed-point evaluator's best class, as text."""
    out = subprocess.run([twain, "plain", "--model", model, "--image", image, "--topk", "1"], capture_output=True,
                         text=True, check=True).stdout
    fixed = out[out.index("fixed point"):]
    m = re.search(r"\(index (\d+)\)\s+score (-?[\d.]+)", fixed)
    return m.group(1), m.group(2)


def parse_prediction(stdout):
    """(index, score) of the top-1 a `twain query --topk 1` printed, or None."""
    m = re.search(r"prediction \(top 1\):\n.*\(index (\d+)\)\s+score (-?[\d.]+)", stdout)
    return (m.group(1), m.group(2)) if m else None
