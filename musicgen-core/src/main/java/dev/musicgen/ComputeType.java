package dev.musicgen;

/** Numeric precision of the language model on the chosen device. */
public enum ComputeType {
    /** fp32 weights and activations: the parity reference. */
    FLOAT32,
    /**
     * fp16 weights, fp32 activations: halves the bytes read per decode step on CPU (the Hub's audiocraft checkpoints are
     * stored in fp16, so nothing is lost from the file).
     */
    FLOAT16_WEIGHTS,
    /**
     * int8 weights, fp32 activations, for the CPU: the LM's projection, feed-forward and output-head matrices are
     * quantized at load (from the checkpoint as it is, fp16 or fp32) to int8 with one fp32 scale per block of input
     * values; embeddings, norms and biases stay fp32. The decode step then runs in Java on the JDK's Vector API (a
     * quarter of FLOAT32's bytes per step, half of FLOAT16_WEIGHTS'; its self-attention cache is compact too), while
     * long prompts, T5 and EnCodec stay on the engine. Logits differ from FLOAT32 by the quantization error, so sampled
     * tokens are the same except near ties (see docs/PERFORMANCE.md for the measured agreement and speed).
     *
     * <p>Needs the incubator module: run the JVM with {@code --add-modules jdk.incubator.vector} (building a
     * generator with this type without it fails with a message that names the flag). CPU only.
     */
    INT8_WEIGHTS
}
