package dev.musicgen.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.ComputeType;
import dev.musicgen.bench.Figures.Figure;
import dev.musicgen.internal.nn.F;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Phase {@code floor} (optional): a synthetic floor, the decode step's products on separately allocated random
 * weights of the LM's shapes (fp32 or fp16) and a random fp32 KV cache, with the streaming read bandwidth and the
 * bandwidth floor it implies for those bytes; for fp32 also the {@code linear(x, W)} form of the projections, for
 * comparison with the {@code W·xᵀ} form the model uses.
 */
final class SyntheticFloorPhase implements LmRun.Phase {
    @Override
    public List<Figure> run(LmRun r) {
        ComputeType c = r.compute().require();
        if (c != ComputeType.FLOAT32 && c != ComputeType.FLOAT16_WEIGHTS) {
            return List.of(new Figures.Failure(
                    r.model(), r.compute().label(), "floor", "the synthetic floor has fp32 and f16 forms only"));
        }
        Shapes.LmSize s = r.size();
        boolean half = c == ComputeType.FLOAT16_WEIGHTS;
        DataType wt = half ? DataType.FLOAT16 : DataType.FLOAT32;
        int n = LmRun.BATCH;
        int d = s.dim;
        int h = s.heads;
        int dh = d / h;
        int crossLen = LmRun.PROMPT_TOKENS;
        int maxKv = r.maxKv() + 1;
        List<Figure> figures = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), F.ENGINE)) {
            m.getEngine().setRandomSeed(1);
            long t0 = System.nanoTime();
            List<NDArray[]> layers = new ArrayList<>();
            long weightBytes = 0;
            for (int i = 0; i < s.layers; i++) {
                long[][] shapes = {{3L * d, d}, {d, d}, {d, d}, {d, d}, {s.ffn, d}, {d, s.ffn}};
                NDArray[] w = new NDArray[shapes.length + 4];
                for (int j = 0; j < shapes.length; j++) {
                    w[j] = random(m, new Shape(shapes[j]), wt);
                    weightBytes += w[j].size() * (half ? 2 : 4);
                }
                // this layer's KV cache (fp32, as the model keeps it) and cross-attention keys/values
                w[6] = m.randomNormal(new Shape(n, h, maxKv, dh));
                w[7] = m.randomNormal(new Shape(n, h, maxKv, dh));
                w[8] = m.randomNormal(new Shape(n, h, dh, crossLen));
                w[9] = m.randomNormal(new Shape(n, h, crossLen, dh));
                layers.add(w);
            }
            NDArray heads = random(m, new Shape(4 * 2048, d), wt);
            weightBytes += heads.size() * (half ? 2 : 4);
            r.out()
                    .printf(
                            Locale.ROOT,
                            "floor: %d layers of random %s weights (%.0f MB) built in %.1f s%n",
                            s.layers,
                            wt,
                            weightBytes / 1e6,
                            (System.nanoTime() - t0) / 1e9);
            NDArray x = m.randomNormal(new Shape(n, d));
            NDArray xh = m.randomNormal(new Shape(n, s.ffn));
            NDArray xIn = half ? x.toType(DataType.FLOAT16, false) : x.transpose(1, 0); // what the product reads
            NDArray xhIn = half ? xh.toType(DataType.FLOAT16, false) : xh.transpose(1, 0);
            NDArray q = m.randomNormal(new Shape(n, h, 1, dh));
            NDArray pc = m.randomNormal(new Shape(n, h, 1, crossLen));
            double gbps = StepPhase.readBandwidthGbps(m);
            r.out().printf(Locale.ROOT, "stream bandwidth (sum of 1 GiB fp32): %.1f GB/s%n", gbps);
            for (int kv : r.kvs()) {
                int len = kv + 1; // the step attends to the cache plus its own position
                NDArray p = m.randomNormal(new Shape(n, h, 1, len));
                double[] times = new double[r.reps()];
                for (int rep = -3; rep < r.reps(); rep++) {
                    long start = System.nanoTime();
                    try (NDScope scope = new NDScope()) {
                        for (NDArray[] w : layers) {
                            product(w[0], xIn, half);
                            q.matMul(F.narrow(w[6], 2, 0, len).transpose(0, 1, 3, 2));
                            p.matMul(F.narrow(w[7], 2, 0, len));
                            product(w[1], xIn, half);
                            product(w[2], xIn, half);
                            q.matMul(w[8]);
                            pc.matMul(w[9]);
                            product(w[3], xIn, half);
                            product(w[4], xIn, half);
                            product(w[5], xhIn, half);
                        }
                        product(heads, xIn, half);
                    }
                    if (rep >= 0) {
                        times[rep] = Machine.msSince(start);
                    }
                }
                p.close();
                double kvBytes = 2.0 * s.layers * n * h * len * dh * 4;
                double bwFloor = (weightBytes + kvBytes) / (gbps * 1e9) * 1e3;
                figures.add(new Figures.SyntheticFloor(
                        r.model(),
                        r.compute().label(),
                        kv,
                        Figures.r2(Machine.median(times)),
                        Figures.r2(Machine.min(times)),
                        Figures.r2(bwFloor),
                        Math.round(weightBytes / 1e6),
                        Math.round(kvBytes / 1e6),
                        Figures.r2(gbps),
                        Machine.loadavg()));
            }
            if (!half) {
                figures.add(
                        new Figures.LinearForm(r.model(), r.compute().label(), linearForm(r, layers, heads, x, xh)));
            }
        }
        return figures;
    }

    /** Median ms of the fp32 projections in the {@code linear(x, W)} form, which reads W as {@code [out, in]} too. */
    private static double linearForm(LmRun r, List<NDArray[]> layers, NDArray heads, NDArray x, NDArray xh) {
        double[] times = new double[Math.max(3, r.reps() / 3)];
        for (int rep = -1; rep < times.length; rep++) {
            long start = System.nanoTime();
            try (NDScope scope = new NDScope()) {
                for (NDArray[] w : layers) {
                    F.linear(x, w[0], null);
                    F.linear(x, w[1], null);
                    F.linear(x, w[2], null);
                    F.linear(x, w[3], null);
                    F.linear(x, w[4], null);
                    F.linear(xh, w[5], null);
                }
                F.linear(x, heads, null);
            }
            if (rep >= 0) {
                times[rep] = Machine.msSince(start);
            }
        }
        return Figures.r2(Machine.median(times));
    }

    private static NDArray random(NDManager m, Shape shape, DataType dtype) {
        NDArray f = m.randomUniform(-0.03f, 0.03f, shape);
        if (dtype == DataType.FLOAT32) {
            return f;
        }
        NDArray h = f.toType(dtype, false);
        f.close();
        return h;
    }

    private static NDArray product(NDArray w, NDArray xIn, boolean half) {
        return half ? F.linear(xIn, w, null) : w.matMul(xIn);
    }
}
