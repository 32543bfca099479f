package dev.musicgen.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/** NDScope helpers: run a block whose temporaries die with it, keeping only its result. */
final class Scopes {
    private Scopes() {}

    /**
     * Runs {@code body} in a fresh NDScope and returns its result, handed to the enclosing scope (if any) so an outer
     * scope still frees it; every other array created by the body is closed.
     */
    static NDArray keep(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }
}
