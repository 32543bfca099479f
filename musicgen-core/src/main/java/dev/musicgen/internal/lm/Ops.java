package dev.musicgen.internal.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.musicgen.internal.nn.F;

/**
 * The decode step's ops, each exactly one native call on the PyTorch engine. DJL's {@code NDArray} methods add hidden
 * native calls on fresh arrays ({@code transpose} asks for the shape to reject scalars, {@code F.layerNorm} asks for it
 * to build the normalized shape, {@code mul(Number)} creates and frees a scalar tensor, {@code toType} asks for the
 * dtype); at ~45 ops per layer these cost about a quarter of the step's overhead. The same torch functions are called,
 * so results are bitwise those of the {@code NDArray} methods; arrays of another engine take those methods instead.
 * Every result is attached to the manager of the first argument (and registered in the current {@code NDScope}).
 */
final class Ops {
    private Ops() {}

    private static boolean pt(NDArray a) {
        return a instanceof PtNDArray;
    }

    private static boolean pt(NDArray a, NDArray b) {
        return a instanceof PtNDArray && b instanceof PtNDArray;
    }

    /** {@code a @ b} (torch.matmul). */
    static NDArray matmul(NDArray a, NDArray b) {
        return pt(a, b) ? JniUtils.matmul((PtNDArray) a, (PtNDArray) b) : a.matMul(b);
    }

    /** Swaps two axes (a view). */
    static NDArray transpose(NDArray a, int axis0, int axis1) {
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

    static NDArray reshape(NDArray a, long... shape) {
        return pt(a) ? JniUtils.reshape((PtNDArray) a, shape) : a.reshape(shape);
    }

    /**
     * {@code a [rows, cols]} with row-major strides: a copy when a is a transposed view (the {@code W·xᵀ} form's
     * output), else a view. BLAS is 3-8× slower when the next product's operand comes in the other layout.
     */
    static NDArray contiguous(NDArray a, long rows, long cols) {
        return reshape(reshape(a, rows * cols), rows, cols);
    }

    /** {@code x @ wᵀ} (torch's linear without bias). */
    static NDArray linear(NDArray x, NDArray w) {
        return pt(x, w) ? JniUtils.linear((PtNDArray) x, (PtNDArray) w, null) : F.linear(x, w, null);
    }

    static NDArray toType(NDArray a, DataType type) {
        return pt(a) ? JniUtils.to((PtNDArray) a, type, a.getManager().getDevice()) : a.toType(type, false);
    }

    /** LayerNorm over the last axis; {@code normalized} is {@code (dim)}, built once by the caller. */
    static NDArray layerNorm(NDArray x, Shape normalized, NDArray gamma, NDArray beta, float eps) {
        if (pt(x, gamma) && pt(beta)) {
            return JniUtils.layerNorm((PtNDArray) x, normalized, (PtNDArray) gamma, (PtNDArray) beta, eps);
        }
        return F.layerNorm(x, gamma, beta, eps);
    }

    /** Softmax over the last axis, in fp32. */
    static NDArray softmax(NDArray a) {
        return pt(a) ? JniUtils.softmax((PtNDArray) a, -1, DataType.FLOAT32) : a.softmax(-1);
    }

    /** Exact (erf) GELU, torch's default. */
    static NDArray gelu(NDArray a) {
        return pt(a) ? JniUtils.gelu((PtNDArray) a) : F.gelu(a);
    }

    /** {@code a * b}, b broadcast (e.g. a 0-d scale held by the model). */
    static NDArray mul(NDArray a, NDArray b) {
        return pt(a, b) ? JniUtils.mul((PtNDArray) a, (PtNDArray) b) : a.mul(b);
    }

    static NDArray add(NDArray a, NDArray b) {
        return pt(a, b) ? JniUtils.add((PtNDArray) a, (PtNDArray) b) : a.add(b);
    }

    /** {@code a += b} in place; returns a. */
    static NDArray addi(NDArray a, NDArray b) {
        if (pt(a, b)) {
            JniUtils.addi((PtNDArray) a, (PtNDArray) b);
            return a;
        }
        return a.addi(b);
    }
}
