//! The C library's math functions that EXSLT math and libexslt's number formatting use (`sin`,
//! `exp`, `log10`, `pow`…), with the system C library's results, as xsltproc gets them.
//!
//! On Linux with glibc, `f64::sin` and its kin call `libm.so.6`, a library of its own: a binary
//! that calls them has the dynamic loader open, map and relocate it in every process before
//! `main` (about 0.1 ms, a tenth of `webxsl --version`), though only the rare stylesheet that
//! calls `math:sin` needs it. So there the library is opened on first use (`dlopen`) and its
//! functions are called through the addresses `dlsym` gives: the same functions of the same
//! library, so the same results (a test compares them bit for bit with the `f64` methods).
//! Elsewhere (Windows, macOS, musl, a static glibc build) the `f64` methods are used: their
//! math is in the C library that every process loads anyway.
//!
//! A pure-Rust port (the `libm` crate) was measured and not taken: it differs from glibc in the
//! last bit for a few percent of arguments, and `exp(1)` is not the double nearest to e.

#[cfg(all(
    target_os = "linux",
    target_env = "gnu",
    not(target_feature = "crt-static")
))]
mod imp {
    use std::sync::OnceLock;

    type Unary = unsafe extern "C" fn(f64) -> f64;
    type Binary = unsafe extern "C" fn(f64, f64) -> f64;

    /// The functions, their C signatures, and the table of their addresses.
    macro_rules! functions {
        ($($name:ident: $ty:ident($($arg:ident),+);)*) => {
            struct Table {
                $($name: $ty,)*
            }

            /// Opens `libm.so.6` and finds every function.
            fn load() -> Result<Table, String> {
                // SAFETY: dlopen with a NUL-terminated name; the library is glibc's own and
                // is never closed, so the addresses stay valid for the whole process.
                let lib = unsafe {
                    libc::dlopen(c"libm.so.6".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL)
                };
                if lib.is_null() {
                    return Err(dl_error());
                }
                Ok(Table {
                    $($name: {
                        let name = concat!(stringify!($name), "\0");
                        // SAFETY: a NUL-terminated name in a library handle dlopen gave.
                        let f = unsafe { libc::dlsym(lib, name.as_ptr().cast()) };
                        if f.is_null() {
                            return Err(dl_error());
                        }
                        // SAFETY: the address of C99 <math.h>'s function of this name, whose
                        // signature `$ty` is.
                        unsafe { std::mem::transmute::<*mut libc::c_void, $ty>(f) }
                    },)*
                })
            }

            $(
                #[doc = concat!("C's `", stringify!($name), "`.")]
                pub(crate) fn $name($($arg: f64),+) -> f64 {
                    // SAFETY: a C math function: it reads its arguments only (and may set
                    // errno, which nothing here reads).
                    unsafe { (table().$name)($($arg),+) }
                }
            )*
        };
    }

    functions! {
        sin: Unary(x);
        cos: Unary(x);
        tan: Unary(x);
        asin: Unary(x);
        acos: Unary(x);
        atan: Unary(x);
        atan2: Binary(y, x);
        exp: Unary(x);
        log: Unary(x);
        log10: Unary(x);
        pow: Binary(x, y);
    }

    /// What `dlerror` says went wrong.
    fn dl_error() -> String {
        // SAFETY: dlerror returns NULL or a NUL-terminated message of this thread's last
        // dl* failure.
        let message = unsafe { libc::dlerror() };
        if message.is_null() {
            return "unknown error".to_owned();
        }
        // SAFETY: non-null, NUL-terminated (above); copied before any other dl* call.
        unsafe { std::ffi::CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned()
    }

    fn table() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        TABLE.get_or_init(|| {
            // libm.so.6 is part of glibc: where it is missing, a binary linked to it would not
            // start at all; here only a stylesheet that calls a math function stops.
            load().unwrap_or_else(|e| panic!("the C math library (libm.so.6) is missing: {e}"))
        })
    }
}

#[cfg(not(all(
    target_os = "linux",
    target_env = "gnu",
    not(target_feature = "crt-static")
)))]
mod imp {
    //! The `f64` methods: the system C library's functions, already loaded.

    pub(crate) fn sin(x: f64) -> f64 {
        x.sin()
    }
    pub(crate) fn cos(x: f64) -> f64 {
        x.cos()
    }
    pub(crate) fn tan(x: f64) -> f64 {
        x.tan()
    }
    pub(crate) fn asin(x: f64) -> f64 {
        x.asin()
    }
    pub(crate) fn acos(x: f64) -> f64 {
        x.acos()
    }
    pub(crate) fn atan(x: f64) -> f64 {
        x.atan()
    }
    pub(crate) fn atan2(y: f64, x: f64) -> f64 {
        y.atan2(x)
    }
    pub(crate) fn exp(x: f64) -> f64 {
        x.exp()
    }
    pub(crate) fn log(x: f64) -> f64 {
        x.ln()
    }
    pub(crate) fn log10(x: f64) -> f64 {
        x.log10()
    }
    pub(crate) fn pow(x: f64, y: f64) -> f64 {
        x.powf(y)
    }
}

pub(crate) use imp::{acos, asin, atan, atan2, cos, exp, log, log10, pow, sin, tan};

#[cfg(test)]
mod tests {
    /// Bit for bit what the `f64` methods give (the same C functions), on ordinary arguments,
    /// edges and special values; and each function is the one its name says (a swapped
    /// address or argument order fails).
    #[test]
    fn the_c_library_results() {
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            2.0,
            10.0,
            1e-300,
            1e300,
            710.0,
            -1000.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            std::f64::consts::PI,
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        for i in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            xs.push(match i % 3 {
                0 => (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0,
                1 => (seed >> 11) as f64 / (1u64 << 53) as f64 * 200.0 - 100.0,
                _ => f64::from_bits(seed),
            });
        }
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        type One = (&'static str, fn(f64) -> f64, fn(f64) -> f64);
        let unary: [One; 9] = [
            ("sin", super::sin, f64::sin),
            ("cos", super::cos, f64::cos),
            ("tan", super::tan, f64::tan),
            ("asin", super::asin, f64::asin),
            ("acos", super::acos, f64::acos),
            ("atan", super::atan, f64::atan),
            ("exp", super::exp, f64::exp),
            ("log", super::log, f64::ln),
            ("log10", super::log10, f64::log10),
        ];
        for (name, ours, std) in unary {
            for &x in &xs {
                assert!(same(ours(x), std(x)), "{name}({x:e})");
            }
        }
        for (&a, &b) in xs.iter().zip(xs.iter().skip(7)) {
            let (a, b) = (a * 4.0 % 37.0, b % 9.0);
            assert!(same(super::pow(a, b), a.powf(b)), "pow({a:e}, {b:e})");
            assert!(same(super::atan2(a, b), a.atan2(b)), "atan2({a:e}, {b:e})");
        }
        assert_eq!(super::exp(1.0), std::f64::consts::E);
        assert_eq!(super::pow(2.0, 10.0), 1024.0);
        assert_eq!(super::atan2(1.0, 0.0), std::f64::consts::FRAC_PI_2);
        assert_eq!(super::log10(1000.0), 3.0);
    }
}
