package dev.musicgen.demucs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;
import java.util.function.Supplier;

/**
 * The tensor ops HTDemucs needs beyond {@link dev.musicgen.nn.F}. Every op is called on the activation, never on a
 * weight, so results attach to the activation's manager; weights come pre-shaped from load time.
 */
final class Ops {
    private Ops() {}

    /**
     * Runs {@code body} in its own {@link NDScope} so its temporaries are freed as soon as it returns; the result is
     * handed to the enclosing scope (if any). Keeps the peak memory of a forward pass at about one layer's worth.
     */
    static NDArray scoped(Supplier<NDArray> body) {
        NDArray out;
        try (NDScope s = new NDScope()) {
            out = body.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** {@code F.glu(x, dim=1)}: first half times sigmoid of the second half along channels. */
    static NDArray glu(NDArray x) {
        NDList halves = x.split(2, 1);
        return halves.get(0).mul(Activation.sigmoid(halves.get(1)));
    }

    /** 2-D convolution, x [B, Cin, H, W], w [Cout, Cin, kh, kw]. */
    static NDArray conv2d(NDArray x, NDArray w, NDArray b, int strideH, int strideW, int padH, int padW) {
        return Conv2d.conv2d(x, w, b, new Shape(strideH, strideW), new Shape(padH, padW), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /**
     * {@code nn.GroupNorm(groups, C)} over x [B, C, ...] with per-channel gamma/beta given as [C, 1]; biased variance,
     * eps inside the square root, as torch. One group (every GroupNorm HTDemucs runs) is a single fused layer norm
     * over all of C × rest with the affine tiled per channel, which avoids a chain of full-size temporaries.
     */
    static NDArray groupNorm(NDArray x, int groups, NDArray gammaCol, NDArray betaCol, float eps) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long rest = s.size() / (b * c);
        if (groups == 1) {
            NDArray ones = x.getManager().ones(new Shape(c, rest));
            NDArray g = ones.mul(gammaCol).reshape(c * rest);
            NDArray bb = ones.mul(betaCol).reshape(c * rest);
            return LayerNorm.layerNorm(x.reshape(b, c * rest), new Shape(c * rest), g, bb, eps).singletonOrThrow()
                    .reshape(s);
        }
        NDArray grouped = x.reshape(b, groups, -1);
        NDArray mean = grouped.mean(new int[] {2}, true);
        NDArray d = grouped.sub(mean);
        NDArray var = d.square().mean(new int[] {2}, true);
        return d.div(var.add(eps).sqrt()).reshape(b, c, rest).mul(gammaCol).add(betaCol).reshape(s);
    }

    /**
     * demucs' {@code MyGroupNorm} with one group on x [B, T, C] (channel last): normalises each batch item over all
     * of T and C together, then a per-channel affine (gamma/beta [C]). This is the transformer's {@code norm_out}: it
     * spans every token, so its result depends on the sequence length.
     */
    static NDArray groupNormOneChannelLast(NDArray x, NDArray gamma, NDArray beta, float eps) {
        Shape s = x.getShape();
        Shape tc = new Shape(s.get(1), s.get(2));
        NDArray ones = x.getManager().ones(tc);
        return LayerNorm.layerNorm(x, tc, ones.mul(gamma), ones.mul(beta), eps).singletonOrThrow();
    }

    /**
     * Transposed convolution along axis 2 of x [B, Cin, L, W] with kernel [K, 1] and stride [S, 1], no padding (torch
     * {@code ConvTranspose2d(Cin, Cout, [K, 1], [S, 1])}; a 1-D transposed conv is the case W = 1). The engine has no
     * transposed convolution, so: one GEMM {@code xᵀ · w[Cin, Cout*K]}, then overlap-add of the ceil(K/S) groups of
     * S taps, each shifted by a multiple of S.
     *
     * @param wFlat [Cin, Cout * K] (the torch weight [Cin, Cout, K(, 1)] reshaped)
     * @param bias  [1, Cout, 1, 1] or null
     * @return [B, Cout, (L - 1) * S + K, W]
     */
    static NDArray convTransposeAxis2(NDArray x, NDArray wFlat, NDArray bias, int cout, int k, int stride) {
        Shape s = x.getShape();
        long b = s.get(0);
        long cin = s.get(1);
        long len = s.get(2);
        long w = s.get(3);
        // [B, Cin, L*W] -> [B, L*W, Cin] @ [Cin, Cout*K] -> [B, L, W, Cout, K] -> [B, Cout, L, K, W]
        NDArray cols = x.reshape(b, cin, len * w).transpose(0, 2, 1).matMul(wFlat).reshape(b, len, w, cout, k)
                .transpose(0, 3, 1, 4, 2);
        int groups = (k + stride - 1) / stride;
        long outLen = (len - 1) * stride + k;
        long padded = (len + groups - 1) * stride;
        NDArray out = null;
        for (int c = 0; c < groups; c++) {
            int k0 = c * stride;
            int k1 = Math.min(k, k0 + stride);
            NDArray part = cols.get(new NDIndex(":, :, :, {}:{}, :", k0, k1));
            if (k1 - k0 < stride) {
                part = part.pad(new Shape(0, 0, 0, stride - (k1 - k0)), 0f);
            }
            // tap k0 + r of frame l lands at l*S + k0 + r: [B, Cout, L, S, W] -> [B, Cout, L*S, W], shifted by k0
            NDArray seq = part.reshape(b, cout, len * stride, w)
                    .pad(new Shape(0, 0, k0, padded - len * stride - k0), 0f);
            out = out == null ? seq : out.add(seq);
        }
        if (padded != outLen) {
            out = out.get(new NDIndex(":, :, 0:{}, :", outLen));
        }
        return bias == null ? out : out.add(bias);
    }
}
