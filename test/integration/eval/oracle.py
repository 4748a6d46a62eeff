"""Independent reference values for `iir eval` tests (Debian's python3 with numpy, OpenCV and onnx).

pixels <original> <edited> <mask>: PSNR, MSE and SSIM outside the mask (≥ 128), PIE-Bench style: both images in
[0, 1] multiplied by the unedited-part mask; SSIM per Wang et al. with OpenCV's 11x11 Gaussian (sigma 1.5), valid.
models <fixtures> <original> <edited> <mask> <ids-json>: LPIPS, CLIP and DINO formulas computed in numpy from the
fixture networks' weights (read with python3-onnx); images must need no resizing (see the test).
"""
import json
import sys

import cv2
import numpy as np


def load(path):
    return cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB).astype(np.float64) / 255


def keep_of(path):
    return (cv2.imread(path, cv2.IMREAD_GRAYSCALE) < 128).astype(np.float64)[:, :, None]


def ssim_channel(x, y):
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    k = cv2.getGaussianKernel(11, 1.5)
    w = k @ k.T
    f = lambda im: cv2.filter2D(im, -1, w, borderType=cv2.BORDER_REFLECT)[5:-5, 5:-5]
    mx, my = f(x), f(y)
    vx, vy, cov = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
    return (((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))).mean()


def pixels(a, b, m):
    keep = keep_of(m)
    x, y = load(a) * keep, load(b) * keep
    mse = float(((x - y) ** 2).mean())
    ssim = float(np.mean([ssim_channel(x[:, :, c], y[:, :, c]) for c in range(3)]))
    return {"mse": mse, "psnr": None if mse == 0 else 10 * np.log10(1 / mse), "ssim": ssim}


def weights(path):
    import onnx
    from onnx import numpy_helper

    return {t.name: numpy_helper.to_array(t).astype(np.float64) for t in onnx.load(path).graph.initializer}


def conv(x, w, b=None, stride=1, pad=0):
    """Plain 2-D convolution of x [C,H,W] with w [O,C,kh,kw] (im2col)."""
    c, h, wd = x.shape
    o, _, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    cols = np.empty((c, kh, kw, oh, ow))
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = x[:, i:i + stride * oh:stride, j:j + stride * ow:stride]
    out = w.reshape(o, -1) @ cols.reshape(-1, oh * ow)
    if b is not None:
        out += b[:, None]
    return out.reshape(o, oh, ow)


def lpips(fixtures, x, y):
    f = weights(f"{fixtures}/lpips-alex/lpips_feature.onnx")
    lin = weights(f"{fixtures}/lpips-alex/lpips_diff.onnx")

    def feats(im):
        t = (im.transpose(2, 0, 1) * 2 - 1 - f["scaling.shift"][0]) / f["scaling.scale"][0]
        out = []
        for i in range(5):
            t = np.maximum(conv(t, f[f"stage{i}.weight"], f[f"stage{i}.bias"], 2 if i < 2 else 1, 1), 0)
            out.append(t / (np.sqrt((t * t).sum(0, keepdims=True)) + 1e-10))
        return out

    fx, fy = feats(x), feats(y)
    return float(sum((lin[f"lin{i}.weight"][0, :, 0, 0][:, None, None] * (a - b) ** 2).sum(0).mean()
                     for i, (a, b) in enumerate(zip(fx, fy))))


def models(fixtures, a, b, m, ids):
    region = 1 - keep_of(m)
    x, y = load(a), load(b)
    out = {"lpips": lpips(fixtures, x * (1 - region), y * (1 - region))}
    v = weights(f"{fixtures}/clip-vit-l14/onnx/vision_model.onnx")
    t = weights(f"{fixtures}/clip-vit-l14/onnx/text_model.onnx")
    positive = lambda e: np.abs(e) + 0.05
    text = positive(np.tanh(t["token_embedding"][np.array(ids) % 97].mean(0)) @ t["text_projection"])
    mean, std = np.array([0.48145466, 0.4578275, 0.40821073]), np.array([0.26862954, 0.26130258, 0.27577711])

    def clip(im):
        h, w = im.shape[:2]
        top, left = (h - 224) // 2, (w - 224) // 2
        pix = ((im[top:top + 224, left:left + 224] - mean) / std).transpose(2, 0, 1)
        e = positive(np.tanh(conv(pix, v["patch.weight"], None, 32)).mean((1, 2)) @ v["visual_projection"])
        return max(100 * float(e @ text / np.linalg.norm(e) / np.linalg.norm(text)), 0)

    rows, cols = np.nonzero(region[:, :, 0])
    crop = y[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    out.update({"clip_whole": clip(y), "clip_edited": clip(y * region), "clip_region": clip(crop)})
    if x.shape[:2] == (224, 224):
        d = weights(f"{fixtures}/dino-vitb8/onnx/model.onnx")
        inm, ins = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])

        def selfsim(im):
            p = np.tanh(conv(((im - inm) / ins).transpose(2, 0, 1), d["patch.weight"], d["patch.bias"], 8))
            tokens = p.reshape(p.shape[0], -1).T
            tokens = np.concatenate([tokens.mean(0, keepdims=True), tokens])
            tokens = tokens / np.linalg.norm(tokens, axis=1, keepdims=True)
            return tokens @ tokens.T

        out["structure"] = float(((selfsim(x) - selfsim(y)) ** 2).mean())
    return out


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "pixels":
        print(json.dumps(pixels(*args)))
    else:
        print(json.dumps(models(*args[:4], json.loads(args[4]))))
