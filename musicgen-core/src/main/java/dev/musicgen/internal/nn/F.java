package dev.musicgen.internal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Functional ops over DJL's PyTorch engine (the {@code torch.nn.functional} of this code base), shared by the LM, T5,
 * HTDemucs, EnCodec and MultiBand Diffusion: exact emulations of those the engine lacks (transposed convolution,
 * reflect padding, scaled-dot-product attention), fused forms of group norm, audiocraft's sinusoidal
 * positions, scope helpers that bound the native memory of a pass, and at the end the one-native-call forms the LM's
 * decode step is built from. Every op is called on the activation first so results attach to the activation's
 * manager/scope, never to the long-lived weights' manager (DJL attaches a result to its first input's manager).
 */
public final class F {
    /** The engine every array is created on; named so the tokenizers' Rust engine is never picked. */
    public static final String ENGINE = UsageTracking.optOutBefore("PyTorch"); // not a constant: reading it opts out

    private F() {}

    /**
     * Runs {@code body} in its own {@link NDScope} and returns its result, handed to the enclosing scope (if any) so
     * an outer scope still frees it; every other array the body creates is closed when it returns. Keeps the peak
     * memory of a pass at about one block's (or layer's) worth.
     */
    public static NDArray scoped(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /** A computation over the index range {@code [from, to)} of some axis. */
    @FunctionalInterface
    public interface RangeOp {
        NDArray apply(long from, long to);
    }

    /**
     * {@code op} over {@code [0, total)} in blocks of at most {@code block} indices, each block {@link #scoped} so its
     * temporaries are freed before the next, the results concatenated along {@code axis}. For computations whose
     * rows are independent (attention queries, feed-forward rows): the same result without the full-size
     * temporaries. One block: {@code op(0, total)} as is.
     */
    public static NDArray inBlocks(long total, long block, int axis, RangeOp op) {
        if (total < 0 || block < 1) {
            throw new IllegalArgumentException(
                    "inBlocks needs total >= 0 and block >= 1, but total is " + total + " and block is " + block);
        }
        if (total <= block) {
            return op.apply(0, total);
        }
        NDList parts = new NDList();
        for (long from = 0; from < total; from += block) {
            long start = from;
            long end = Math.min(total, from + block);
            parts.add(scoped(() -> op.apply(start, end)));
        }
        return NDArrays.concat(parts, axis);
    }

    /**
     * audiocraft's {@code create_sin_embedding} (demucs' is the same function) for the positions
     * {@code [start, start + count)}: {@code [count, dim]} = {@code cat([cos(phase), sin(phase)], -1)} with
     * {@code phase = pos / max_period ** (arange(dim/2) / (dim/2 - 1))}, every step in float32 as torch computes it.
     */
    public static NDArray sinEmbedding(NDManager manager, long start, long count, int dim, double maxPeriod) {
        int half = dim / 2;
        try (NDManager tmp = manager.newSubManager()) {
            NDArray exponent =
                    tmp.arange(0f, (float) half, 1f, DataType.FLOAT32).div((float) (half - 1));
            NDArray periods = tmp.create((float) maxPeriod).pow(exponent); // [half]
            NDArray positions = tmp.arange((float) start, (float) (start + count), 1f, DataType.FLOAT32)
                    .reshape(count, 1);
            NDArray phase = positions.div(periods); // [count, half]
            NDArray out = NDArrays.concat(new NDList(phase.cos(), phase.sin()), 1);
            out.attach(manager);
            return out;
        }
    }

    /**
     * {@code x @ wᵀ + b} for weight {@code w [out, in]} (PyTorch layout), any leading dims on x, b may be null. One
     * native call on the PyTorch engine (the same torch function {@code Linear.linear} reaches).
     */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        if (pt(x, w) && (b == null || pt(b))) {
            return JniUtils.linear((PtNDArray) x, (PtNDArray) w, (PtNDArray) b);
        }
        return Linear.linear(x, w, b).singletonOrThrow();
    }

    /**
     * {@code x[..., start:end, ...]} along {@code axis} (non-negative) as a view, like {@code torch.narrow}: one native
     * call on the PyTorch engine, where building an {@code NDIndex} costs about 10 µs. Hot loops
     * (the LM's decode step) use this instead of {@code get(NDIndex)}.
     */
    public static NDArray narrow(NDArray x, int axis, long start, long end) {
        if (x instanceof PtNDArray) {
            return JniUtils.slice((PtNDArray) x, axis, start, end, 1);
        }
        return x.get(new NDIndex().addAllDim(axis).addSliceDim(start, end));
    }

    /**
     * Writes {@code value} into {@code target[..., start:start+len, ...]} along {@code axis} in place, where
     * {@code len} is {@code value}'s size on that axis and every other dim of {@code value} equals {@code target}'s
     * ({@code targetShape}, passed in so the hot path makes no shape query). One native call on PyTorch.
     */
    public static void put(NDArray target, long[] targetShape, int axis, long start, NDArray value, long len) {
        if (target instanceof PtNDArray && value instanceof PtNDArray) {
            long[] min = new long[targetShape.length];
            long[] max = targetShape.clone();
            long[] step = new long[targetShape.length];
            java.util.Arrays.fill(step, 1);
            min[axis] = start;
            max[axis] = start + len;
            JniUtils.indexSet((PtNDArray) target, (PtNDArray) value, min, max, step);
            return;
        }
        target.set(new NDIndex().addAllDim(axis).addSliceDim(start, start + len), value);
    }

    /** LayerNorm over the last dim. */
    public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, float eps) {
        return layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), gamma, beta, eps);
    }

    /**
     * LayerNorm over the last dim, whose size {@code normalized} ({@code (dim)}) the caller built once: one native
     * call on the PyTorch engine, no shape query (the decode step's form).
     */
    public static NDArray layerNorm(NDArray x, Shape normalized, NDArray gamma, NDArray beta, float eps) {
        if (pt(x, gamma) && pt(beta)) {
            return JniUtils.layerNorm((PtNDArray) x, normalized, (PtNDArray) gamma, (PtNDArray) beta, eps);
        }
        return LayerNorm.layerNorm(x, normalized, gamma, beta, eps).singletonOrThrow();
    }

    /** 1-D convolution, x [B, Cin, T], w [Cout, Cin/groups, K]. */
    public static NDArray conv1d(NDArray x, NDArray w, NDArray b, int stride, int padding, int dilation, int groups) {
        return Conv1d.conv1d(x, w, b, new Shape(stride), new Shape(padding), new Shape(dilation), groups)
                .singletonOrThrow();
    }

    /** 2-D convolution, x [B, Cin, H, W], w [Cout, Cin, kh, kw], no dilation, one group. */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray b, int strideH, int strideW, int padH, int padW) {
        return Conv2d.conv2d(x, w, b, new Shape(strideH, strideW), new Shape(padH, padW), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /**
     * Transposed 1-D convolution (the engine throws "Not implemented"): one GEMM {@code xᵀ @ w.reshape(Cin, Cout*K)}
     * then overlap-add of the K taps at stride S, trimmed by {@code padding} on both sides. Exact vs torch.
     * x [B, Cin, L], w [Cin, Cout, K] (PyTorch ConvTranspose1d layout), groups = 1.
     */
    public static NDArray convTranspose1d(NDArray x, NDArray w, NDArray b, int stride, int padding, int outputPadding) {
        long batch = x.getShape().get(0);
        long cin = x.getShape().get(1);
        long len = x.getShape().get(2);
        long cout = w.getShape().get(1);
        int k = (int) w.getShape().get(2);
        long full = (len - 1) * stride + k;
        // cols [B, L, Cout*K] -> [B, L, Cout, K]; the reshaped view of w is attached to the weights' manager, so it
        // is closed right away instead of piling up there on every call
        NDArray cols;
        try (NDArray w2 = w.reshape(cin, cout * k)) {
            cols = x.transpose(0, 2, 1).matMul(w2).reshape(batch, len, cout, k);
        }
        int chunks = (k + stride - 1) / stride;
        long outLen = (len + chunks - 1) * stride;
        NDArray out = null;
        for (int c = 0; c < chunks; c++) {
            int k0 = c * stride;
            int k1 = Math.min(k, k0 + stride);
            // taps k0..k1 of every input frame land at positions t*S + (k - k0) + c*S
            NDArray part = cols.get(new NDIndex(":, :, :, {}:{}", k0, k1));
            if (k1 - k0 < stride) {
                part = part.pad(new Shape(0, stride - (k1 - k0)), 0f);
            }
            // [B, L, Cout, S] -> [B, Cout, L, S] -> [B, Cout, L*S], shifted right by c*S
            NDArray seq = part.transpose(0, 2, 1, 3).reshape(batch, cout, len * stride);
            seq = seq.pad(new Shape((long) c * stride, outLen - len * stride - (long) c * stride), 0f);
            out = out == null ? seq : out.add(seq);
        }
        long end = full - padding + outputPadding;
        NDArray res = out.get(new NDIndex(":, :, {}:{}", padding, end));
        if (b != null) {
            try (NDArray b3 = b.reshape(1, cout, 1)) {
                res = res.add(b3);
            }
        }
        return res;
    }

    /** Reflect padding of the last dim (torch F.pad mode='reflect'); requires {@code pad < length}. */
    public static NDArray reflectPad1d(NDArray x, int left, int right) {
        long t = x.getShape().get(x.getShape().dimension() - 1);
        if (left >= t || right >= t) {
            throw new IllegalArgumentException(
                    "reflect padding (" + left + ", " + right + ") must be smaller than the" + " input length " + t);
        }
        NDList parts = new NDList();
        if (left > 0) {
            parts.add(x.get(new NDIndex("..., 1:{}", left + 1)).flip(-1));
        }
        parts.add(x);
        if (right > 0) {
            parts.add(x.get(new NDIndex("..., {}:{}", t - 1 - right, t - 1)).flip(-1));
        }
        return parts.size() == 1 ? x : NDArrays.concat(parts, -1);
    }

    /**
     * {@code nn.GroupNorm(groups, C)} over x {@code [B, C, ...]} with the per-channel affine given as columns
     * {@code gammaCol}, {@code betaCol} ({@code [C, 1]}, shaped once at load: a view made here on every call would land
     * on the weights' manager, which may be capped): biased variance, eps inside the square root, as torch. Fused
     * kernels instead of a chain of full-size temporaries: with one group and at least 4 rows (demucs' DConv over the
     * frequency branch's many rows), one layer norm over {@code C × rest} with the affine tiled per channel; otherwise
     * the group statistics come from the engine's batch norm in training mode over the view
     * {@code [1, B·G, C/G·rest]}, whose "channels" are exactly the (item, group) pairs, followed by the per-channel
     * affine. Both compute torch's function; only the summation order differs.
     */
    public static NDArray groupNorm(NDArray x, int groups, NDArray gammaCol, NDArray betaCol, float eps) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long rest = s.size() / (b * c);
        if (gammaCol.getShape().dimension() != 2 || betaCol.getShape().dimension() != 2) {
            throw new IllegalArgumentException("groupNorm's affine must be columns [C, 1], but gamma is "
                    + gammaCol.getShape() + " and beta " + betaCol.getShape());
        }
        NDManager m = x.getManager();
        if (groups == 1 && b >= 4) {
            NDArray ones = m.ones(new Shape(c, rest));
            NDArray g = ones.mul(gammaCol).reshape(c * rest);
            NDArray bb = ones.mul(betaCol).reshape(c * rest);
            return LayerNorm.layerNorm(x.reshape(b, c * rest), new Shape(c * rest), g, bb, eps)
                    .singletonOrThrow()
                    .reshape(s);
        }
        long bg = b * groups;
        NDArray n = BatchNorm.batchNorm(
                        x.reshape(1, bg, -1),
                        m.zeros(new Shape(bg)),
                        m.ones(new Shape(bg)),
                        m.ones(new Shape(bg)),
                        m.zeros(new Shape(bg)),
                        1,
                        0f,
                        eps,
                        true)
                .singletonOrThrow();
        return n.reshape(b, c, rest).mul(gammaCol).add(betaCol).reshape(s);
    }

    /**
     * {@code GroupNorm(1, C)} over x {@code [B, T, C]} with the channels <b>last</b> (demucs' {@code MyGroupNorm}, the
     * layout its transformer keeps): each item normalised over all of T and C together, then the per-channel affine
     * {@code gamma}, {@code beta} ({@code [C]}). One layer norm over {@code [T, C]} with the affine tiled per token.
     */
    public static NDArray groupNormChannelsLast(NDArray x, NDArray gamma, NDArray beta, float eps) {
        Shape s = x.getShape();
        Shape tc = new Shape(s.get(1), s.get(2));
        NDArray ones = x.getManager().ones(tc);
        return LayerNorm.layerNorm(x, tc, ones.mul(gamma), ones.mul(beta), eps).singletonOrThrow();
    }

    /** {@code F.glu(x, dim=axis)}: the first half along {@code axis} times the sigmoid of the second half. */
    public static NDArray glu(NDArray x, int axis) {
        NDList halves = x.split(2, axis);
        return halves.get(0).mul(Activation.sigmoid(halves.get(1)));
    }

    /**
     * Scaled-dot-product attention. q [B,H,Tq,D], k/v [B,H,Tk,D]; mask additive [.., Tq, Tk] or null.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        long d = q.getShape().get(3);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(d));
        if (mask != null) {
            scores = scores.add(mask);
        }
        return scores.softmax(-1).matMul(v);
    }

    /** An additive causal mask [Tq, Tk] where query i (at absolute position offset+i) sees keys 0..offset+i. */
    public static NDArray causalMask(NDManager manager, long tq, long tk) {
        long offset = tk - tq;
        NDArray qi = manager.arange(tq).reshape(tq, 1).add(offset);
        NDArray kj = manager.arange(tk).reshape(1, tk);
        NDArray zeros = manager.zeros(new Shape(tq, tk));
        return NDArrays.where(kj.gt(qi), zeros.add(Float.NEGATIVE_INFINITY), zeros);
    }

    /** GELU with the exact erf form (torch's default); one native call on the PyTorch engine. */
    public static NDArray gelu(NDArray x) {
        return pt(x) ? JniUtils.gelu((PtNDArray) x) : Activation.gelu(x);
    }

    public static NDArray elu(NDArray x, float alpha) {
        return Activation.elu(x, alpha);
    }

    // One native call each. DJL's NDArray methods add hidden native calls on fresh arrays (transpose asks for the
    // shape to reject scalars, mul(Number) creates and frees a scalar tensor, toType asks for the dtype); at ~45 ops
    // per layer these cost about a quarter of the LM decode step's overhead. The forms below call the same torch
    // functions, so results are bitwise those of the NDArray methods; arrays of another engine take those methods.
    // Every result is attached to the manager of the first argument (and registered in the current NDScope).

    private static boolean pt(NDArray a) {
        return a instanceof PtNDArray;
    }

    private static boolean pt(NDArray a, NDArray b) {
        return a instanceof PtNDArray && b instanceof PtNDArray;
    }

    /** {@code a @ b} (torch.matmul). */
    public static NDArray matmul(NDArray a, NDArray b) {
        return pt(a, b) ? JniUtils.matmul((PtNDArray) a, (PtNDArray) b) : a.matMul(b);
    }

    /** Swaps two axes (a view). */
    public static NDArray transpose(NDArray a, int axis0, int axis1) {
        if (pt(a)) {
            return JniUtils.transpose((PtNDArray) a, axis0, axis1);
        }
        int[] axes = new int[a.getShape().dimension()];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        axes[axis0] = axis1;
        axes[axis1] = axis0;
        return a.transpose(axes);
    }

    public static NDArray reshape(NDArray a, long... shape) {
        return pt(a) ? JniUtils.reshape((PtNDArray) a, shape) : a.reshape(shape);
    }

    /**
     * {@code a [rows, cols]} with row-major strides: a copy when a is a transposed view, else a view. BLAS is 3-8x
     * slower when the next product's operand comes in the other layout.
     */
    public static NDArray contiguous(NDArray a, long rows, long cols) {
        return reshape(reshape(a, rows * cols), rows, cols);
    }

    public static NDArray toType(NDArray a, DataType type) {
        return pt(a) ? JniUtils.to((PtNDArray) a, type, a.getManager().getDevice()) : a.toType(type, false);
    }

    /** Softmax over the last axis, in fp32. */
    public static NDArray softmax(NDArray a) {
        return pt(a) ? JniUtils.softmax((PtNDArray) a, -1, DataType.FLOAT32) : a.softmax(-1);
    }

    /** {@code a * b}, b broadcast (e.g. a 0-d scale held by the model). */
    public static NDArray mul(NDArray a, NDArray b) {
        return pt(a, b) ? JniUtils.mul((PtNDArray) a, (PtNDArray) b) : a.mul(b);
    }

    public static NDArray add(NDArray a, NDArray b) {
        return pt(a, b) ? JniUtils.add((PtNDArray) a, (PtNDArray) b) : a.add(b);
    }

    /** {@code a += b} in place; returns a. */
    public static NDArray addi(NDArray a, NDArray b) {
        if (pt(a, b)) {
            JniUtils.addi((PtNDArray) a, (PtNDArray) b);
            return a;
        }
        return a.addi(b);
    }
}
