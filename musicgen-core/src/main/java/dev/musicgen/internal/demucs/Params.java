package dev.musicgen.internal.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.musicgen.internal.weights.WeightStore;

/**
 * Where the modules get their parameters: each module asks for every tensor by its state-dict name and the shape
 * its config implies, so a checkpoint that does not fit fails naming the key. Two sources: a checkpoint's
 * {@link WeightStore}, or seeded random values (benchmarks at the released shapes without the file).
 */
abstract class Params {
    final NDManager manager;
    final String prefix;

    private Params(NDManager manager, String prefix) {
        this.manager = manager;
        this.prefix = prefix;
    }

    /** The float32 tensor {@code prefix + key}, checked to have {@code shape}. */
    abstract NDArray get(String key, long... shape);

    /** Parameters under {@code prefix + child + "."}. */
    abstract Params child(String child);

    Params child(int index) {
        return child(Integer.toString(index));
    }

    static Params of(WeightStore store, NDManager manager) {
        return new FromStore(store, manager, "");
    }

    /**
     * Random parameters: N(0, 0.05) for convolution/linear weights, 1 for norm weights, 0 for biases, 1e-2 for layer
     * scales; only for timing, never for output quality.
     */
    static Params random(NDManager manager) {
        return new Random(manager, "");
    }

    private static final class FromStore extends Params {
        private final WeightStore store;

        FromStore(WeightStore store, NDManager manager, String prefix) {
            super(manager, prefix);
            this.store = store;
        }

        @Override
        NDArray get(String key, long... shape) {
            return store.view(prefix).load(key, manager, DataType.FLOAT32, shape);
        }

        @Override
        Params child(String child) {
            return new FromStore(store, manager, prefix + child + ".");
        }
    }

    /** Number of parameter values handed out (random source only; 0 for a store, which counts its own). */
    long count() {
        return 0;
    }

    private static final class Random extends Params {
        private final long[] counter;

        Random(NDManager manager, String prefix) {
            this(manager, prefix, new long[1]);
        }

        private Random(NDManager manager, String prefix, long[] counter) {
            super(manager, prefix);
            this.counter = counter;
        }

        @Override
        long count() {
            return counter[0];
        }

        @Override
        NDArray get(String key, long... shape) {
            Shape s = new Shape(shape);
            counter[0] += s.size();
            boolean norm = prefix.matches(".*(norm[^.]*|\\.[14])\\.$") && shape.length == 1;
            if (key.endsWith("bias")) {
                return manager.zeros(s);
            }
            if (key.equals("scale")) {
                return manager.full(s, 1e-2f);
            }
            if (norm) {
                return manager.ones(s);
            }
            return manager.randomNormal(0f, 0.05f, s, DataType.FLOAT32);
        }

        @Override
        Params child(String child) {
            return new Random(manager, prefix + child + ".", counter);
        }
    }
}
