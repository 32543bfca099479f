package dev.musicgen;

/** Numeric precision of the language model on the chosen device. */
public enum ComputeType {
    /** fp32 weights and activations: the parity reference. */
    FLOAT32,
    /**
     * fp16 weights, fp32 activations: halves the bytes read per decode step on CPU (the Hub's audiocraft checkpoints are
     * stored in fp16, so nothing is lost from the file).
     */
    FLOAT16_WEIGHTS
}
