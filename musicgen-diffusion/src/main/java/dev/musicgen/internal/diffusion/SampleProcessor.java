package dev.musicgen.internal.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * Port of audiocraft {@code SampleProcessor} (modules/diffusion_schedule.py @ 896ec7c): maps the diffusion space back
 * to audio at the end of sampling. The base processor is the identity (bands 0 and 1 of the released MBD).
 */
interface SampleProcessor extends AutoCloseable {
    SampleProcessor IDENTITY = new SampleProcessor() {
        @Override
        public NDArray returnSample(NDArray z) {
            return z;
        }

        @Override
        public String toString() {
            return "SampleProcessor";
        }
    };

    /** in/out: [B, C, L]. */
    NDArray returnSample(NDArray z);

    @Override
    default void close() {}
}
