//! The widest vector unit the CPU has, for the engine's numeric loops.
//!
//! h4 is built for the x86-64 baseline, whose vectors hold two doubles.
//! The PCM encoder's loops (the window, the autocorrelation, the linear
//! predictions, the sums that pick a predictor) do twice the work an
//! instruction as x86-64-v3 code (AVX2, with BMI2's shifts), which x86-64
//! CPUs have had since about 2015 (Haswell, Zen; not every low-end Atom):
//! a quarter off the time to compress stereo music.
//!
//! [`widest`] compiles the [`Kernel`] it is given once per instruction set,
//! through `pulp`, and runs the best one this CPU has, so the engine
//! itself stays safe Rust.
//!
//! The choice never changes a byte of output: the loops do the same
//! integer and IEEE operations in the same order whatever the width
//! (Rust neither fuses a multiply with an add nor reorders a float sum),
//! only more of them at once. Code reached from a kernel is compiled
//! for the wider unit only where it is inlined into it, so the hot
//! functions a kernel calls are `#[inline(always)]`.

use std::sync::LazyLock;

/// The instruction set, detected once.
static ARCH: LazyLock<pulp::Arch> = LazyLock::new(pulp::Arch::new);

/// A piece of work to run with [`widest`]. Its `run` must be
/// `#[inline(always)]` (a closure would not be inlined, and would stay
/// baseline code).
pub trait Kernel {
    type Output;
    fn run(self) -> Self::Output;
}

/// Adapts a [`Kernel`] to what `pulp` dispatches.
struct Dispatch<K>(K);

impl<K: Kernel> pulp::WithSimd for Dispatch<K> {
    type Output = K::Output;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> K::Output {
        self.0.run()
    }
}

/// Runs `kernel` compiled for the widest instruction set this CPU has.
pub fn widest<K: Kernel>(kernel: K) -> K::Output {
    ARCH.dispatch(Dispatch(kernel))
}

/// Runs `kernel` as baseline code, whatever the CPU has: for tests that
/// check the instruction set changes no result.
#[cfg(test)]
pub fn baseline<K: Kernel>(kernel: K) -> K::Output {
    pulp::Simd::vectorize(pulp::Scalar::new(), Dispatch(kernel))
}
