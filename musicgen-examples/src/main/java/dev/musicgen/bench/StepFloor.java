package dev.musicgen.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.musicgen.internal.lm.DecodeStepView;
import dev.musicgen.internal.lm.LMModel;
import dev.musicgen.internal.lm.LMState;
import java.util.ArrayList;
import java.util.List;

/**
 * The GEMM floor of one decode step: every matrix product of the step alone, on the model's own weights
 * ({@link DecodeStepView}), with nothing around them. Per layer: the input projection of self-attention (the fused
 * {@code in_proj}), the query against the cache's keys at the step's length, the probabilities against its values, the
 * output projection; the same four for cross-attention against the conditions' keys and values; {@code linear1}
 * and {@code linear2}; then the heads. Each projection runs in the form the step uses ({@code W·xᵀ} for large fp32
 * weights, {@code linear} with an fp16 input for fp16 weights, {@code linear} otherwise) on a random operand of the
 * step's shape prepared beforehand (no casts, biases, norms or activations), each product one native call as in the
 * step.
 */
final class StepFloor implements AutoCloseable {
    private final NDManager manager;
    private final List<Runnable> products;
    private final long bytesRead;

    private StepFloor(NDManager manager, List<Runnable> products, long bytesRead) {
        this.manager = manager;
        this.products = products;
        this.bytesRead = bytesRead;
    }

    /**
     * The products of the next decode step of {@code state}; holds its operands (on a sub-manager of the state's)
     * until closed.
     *
     * @throws UnsupportedOperationException for a compute type without a {@link DecodeStepView}
     */
    static StepFloor of(LMModel lm, LMState state) {
        NDManager m = state.manager().newSubManager();
        try (NDScope scope = new NDScope()) {
            DecodeStepView view = DecodeStepView.of(lm, state, m);
            long n = view.batch();
            List<Runnable> products = new ArrayList<>();
            for (DecodeStepView.Layer l : view.layers()) {
                attention(products, m, n, l.self());
                if (l.cross() != null) {
                    attention(products, m, n, l.cross());
                }
                projection(products, m, n, l.linear1());
                projection(products, m, n, l.linear2());
            }
            projection(products, m, n, view.heads());
            // the operands live until close, not until this scope (or a caller's) closes
            for (NDArray a : m.getManagedArrays()) {
                NDScope.unregister(a);
            }
            return new StepFloor(m, products, view.bytesRead());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static void attention(List<Runnable> out, NDManager m, long n, DecodeStepView.Attention a) {
        projection(out, m, n, a.input());
        PtNDArray q = pt(m.randomNormal(new Shape(n, a.heads(), 1, a.headDim())));
        PtNDArray p = pt(m.randomNormal(new Shape(n, a.heads(), 1, a.length())));
        PtNDArray keysT = pt(a.keysT());
        PtNDArray values = pt(a.values());
        out.add(() -> JniUtils.matmul(q, keysT));
        out.add(() -> JniUtils.matmul(p, values));
        projection(out, m, n, a.output());
    }

    /** One projection's product on a random input {@code [n, in]} prepared as the step prepares it. */
    private static void projection(List<Runnable> out, NDManager m, long n, DecodeStepView.Matrix w) {
        PtNDArray weight = pt(w.weight());
        PtNDArray x = pt(m.randomNormal(new Shape(n, w.in())));
        if (weight.getDataType() == DataType.FLOAT16) {
            PtNDArray x16 = JniUtils.to(x, DataType.FLOAT16, x.getDevice());
            out.add(() -> JniUtils.linear(x16, weight, null));
        } else if (w.form() == DecodeStepView.Form.WEIGHT_TIMES_INPUT_T) {
            PtNDArray xT = JniUtils.transpose(x, 0, 1);
            out.add(() -> {
                PtNDArray yT = JniUtils.matmul(weight, xT); // on the weights' manager, as in the step
                yT.attach(xT.getManager());
            });
        } else {
            out.add(() -> JniUtils.linear(x, weight, null));
        }
    }

    private static PtNDArray pt(NDArray a) {
        if (!(a instanceof PtNDArray)) {
            throw new UnsupportedOperationException("the step floor runs on the PyTorch engine, but got " + a);
        }
        return (PtNDArray) a;
    }

    /** Runs every product once; the results are freed before returning. */
    void run() {
        try (NDScope scope = new NDScope()) {
            for (Runnable p : products) {
                p.run();
            }
        }
    }

    /** How many matrix products one {@link #run} issues. */
    int count() {
        return products.size();
    }

    /** Bytes the step must read at least (its matrices and the keys and values it attends to). */
    long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() {
        manager.close();
    }
}
