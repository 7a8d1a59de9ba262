//! EXSLT math (<http://exslt.org/math>): `math:min`, `math:max`, `math:highest`,
//! `math:lowest`, `math:abs`, `math:sqrt`, `math:power`, `math:log`, `math:exp`, `math:sin`,
//! `math:cos`, `math:tan`, `math:asin`, `math:acos`, `math:atan`, `math:atan2`,
//! `math:constant` and `math:random`, as libexslt 0.8.20 implements them.
//!
//! libexslt behaviour reproduced:
//! - `min`, `max`, `highest` and `lowest` need a node-set (a result tree fragment counts as
//!   its root); anything else stops the transformation. A node whose value is not a number
//!   makes `min`/`max` NaN and `highest`/`lowest` empty; an empty node-set gives NaN / empty;
//! - ties keep the first value: `min` of `0 -0` is `0` and of `-0 0` is `-0`; `highest` and
//!   `lowest` return every node equal to the extreme (`0` and `-0` are equal);
//! - `power` is NaN if either argument is, though C's `pow` gives `pow(NaN, 0) = 1` and
//!   `pow(1, NaN) = 1`; the other functions are C's, the same functions of the same library
//!   as libexslt calls on Linux (`cmath.rs`);
//! - `constant(name, precision)` knows `PI`, `E`, `SQRRT2` (sic: not `SQRT2`), `LN2`, `LN10`,
//!   `LOG2E` and `SQRT1_2` (case-sensitive); it reads the first `precision` characters of the
//!   constant's decimal text (the point counts: `constant('PI', 2)` is `3.`, so 3); a precision
//!   below 1 or NaN, or an unknown name, is NaN;
//! - `random()` is in [0, 1); libexslt's `rand() / RAND_MAX` may reach 1, which is no
//!   behaviour to keep.

use std::rc::Rc;

use super::cmath;
use super::sets::node_set_arg;
use super::{Host, HostFn};
use crate::xpath::Context;
use crate::xpath::eval::to_num;
use crate::xpath::value::{NodeRef, Value, str_to_num, string_value};
use crate::xslt::error::XsltError;

/// EXSLT math.
pub const EXSLT_MATH: &str = "http://exslt.org/math";

/// The functions of EXSLT math.
pub(super) const FUNCTIONS: &[HostFn] = &[
    HostFn::new(EXSLT_MATH, "min", 1, Some(1), min),
    HostFn::new(EXSLT_MATH, "max", 1, Some(1), max),
    HostFn::new(EXSLT_MATH, "highest", 1, Some(1), highest),
    HostFn::new(EXSLT_MATH, "lowest", 1, Some(1), lowest),
    HostFn::new(EXSLT_MATH, "abs", 1, Some(1), abs),
    HostFn::new(EXSLT_MATH, "sqrt", 1, Some(1), sqrt),
    HostFn::new(EXSLT_MATH, "power", 2, Some(2), power),
    HostFn::new(EXSLT_MATH, "log", 1, Some(1), log),
    HostFn::new(EXSLT_MATH, "exp", 1, Some(1), exp),
    HostFn::new(EXSLT_MATH, "sin", 1, Some(1), sin),
    HostFn::new(EXSLT_MATH, "cos", 1, Some(1), cos),
    HostFn::new(EXSLT_MATH, "tan", 1, Some(1), tan),
    HostFn::new(EXSLT_MATH, "asin", 1, Some(1), asin),
    HostFn::new(EXSLT_MATH, "acos", 1, Some(1), acos),
    HostFn::new(EXSLT_MATH, "atan", 1, Some(1), atan),
    HostFn::new(EXSLT_MATH, "atan2", 2, Some(2), atan2),
    HostFn::new(EXSLT_MATH, "constant", 2, Some(2), constant),
    HostFn::new(EXSLT_MATH, "random", 0, Some(0), random),
];

// ----- node-sets -----

/// The nodes of argument 0 of `function` with their numeric values, in document order.
fn valued(h: &dyn Host, args: &[Value], function: &str) -> Result<Vec<(NodeRef, f64)>, XsltError> {
    let env = h.env();
    Ok(node_set_arg(h, args, 0, function)?
        .into_iter()
        .map(|n| (n, str_to_num(&string_value(env.tree(n.doc), n))))
        .collect())
}

/// The extreme of `values`, the first of equal ones kept (`better(cur, best)`: `cur`
/// replaces `best`); NaN if there are none or one is NaN.
fn extreme(values: &[f64], better: fn(f64, f64) -> bool) -> f64 {
    let mut best = f64::NAN;
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            return f64::NAN;
        }
        if i == 0 || better(v, best) {
            best = v;
        }
    }
    best
}

/// The nodes whose value equals the extreme (see [`extreme`]); none if a value is NaN.
fn extremes(valued: Vec<(NodeRef, f64)>, better: fn(f64, f64) -> bool) -> Vec<NodeRef> {
    let values: Vec<f64> = valued.iter().map(|&(_, v)| v).collect();
    let best = extreme(&values, better);
    if best.is_nan() {
        return Vec::new();
    }
    valued
        .into_iter()
        .filter(|&(_, v)| v == best)
        .map(|(n, _)| n)
        .collect()
}

/// `number math:min(node-set)`: the smallest numeric value of the nodes; NaN if the node-set is
/// empty or a value is not a number.
fn min(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let v: Vec<f64> = valued(h, &args, "math:min")?
        .into_iter()
        .map(|p| p.1)
        .collect();
    Ok(Value::Num(extreme(&v, |c, b| c < b)))
}

/// `number math:max(node-set)`: the largest numeric value of the nodes; NaN if the node-set is
/// empty or a value is not a number.
fn max(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let v: Vec<f64> = valued(h, &args, "math:max")?
        .into_iter()
        .map(|p| p.1)
        .collect();
    Ok(Value::Num(extreme(&v, |c, b| c > b)))
}

/// `node-set math:highest(node-set)`: the nodes with the largest numeric value; empty if a
/// value is not a number.
fn highest(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let v = valued(h, &args, "math:highest")?;
    Ok(Value::Nodes(Rc::new(extremes(v, |c, b| c > b))))
}

/// `node-set math:lowest(node-set)`: the nodes with the smallest numeric value; empty if a
/// value is not a number.
fn lowest(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let v = valued(h, &args, "math:lowest")?;
    Ok(Value::Nodes(Rc::new(extremes(v, |c, b| c < b))))
}

// ----- numbers -----

/// Argument `i` as a number (`number()`).
fn num(h: &dyn Host, args: &[Value], i: usize) -> f64 {
    to_num(&args[i], h.env())
}

/// A one-number function.
fn unary(h: &dyn Host, args: &[Value], f: fn(f64) -> f64) -> Result<Value, XsltError> {
    Ok(Value::Num(f(num(h, args, 0))))
}

/// `number math:abs(number)`: the absolute value.
fn abs(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, f64::abs)
}

/// `number math:sqrt(number)`: the square root (NaN below zero; `-0` for `-0`).
fn sqrt(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, f64::sqrt)
}

/// `number math:power(number, number)`: the first to the power of the second; NaN if either
/// is NaN.
fn power(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let (base, exp) = (num(h, &args, 0), num(h, &args, 1));
    Ok(Value::Num(pow(base, exp)))
}

/// libexslt's power: C's `pow`, except that a NaN argument always gives NaN.
fn pow(base: f64, exp: f64) -> f64 {
    if base.is_nan() || exp.is_nan() {
        f64::NAN
    } else {
        cmath::pow(base, exp)
    }
}

/// `number math:log(number)`: the natural logarithm.
fn log(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, cmath::log)
}

/// `number math:exp(number)`: e to the power of the number.
fn exp(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, cmath::exp)
}

/// `number math:sin(number)`: the sine (radians).
fn sin(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, cmath::sin)
}

/// `number math:cos(number)`: the cosine (radians).
fn cos(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, cmath::cos)
}

/// `number math:tan(number)`: the tangent (radians).
fn tan(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, cmath::tan)
}

/// `number math:asin(number)`: the arc sine, in radians (NaN outside [-1, 1]).
fn asin(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, cmath::asin)
}

/// `number math:acos(number)`: the arc cosine, in radians (NaN outside [-1, 1]).
fn acos(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, cmath::acos)
}

/// `number math:atan(number)`: the arc tangent, in radians.
fn atan(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    unary(h, &args, cmath::atan)
}

/// `number math:atan2(y, x)`: the angle of the point (x, y), in radians; NaN if either is NaN.
fn atan2(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let (y, x) = (num(h, &args, 0), num(h, &args, 1));
    Ok(Value::Num(cmath::atan2(y, x)))
}

/// The constants of `math:constant`, as libexslt writes them (its own number of digits).
const CONSTANTS: &[(&str, &str)] = &[
    ("PI", "3.1415926535897932384626433832795028841971693993751"),
    ("E", "2.71828182845904523536028747135266249775724709369996"),
    (
        "SQRRT2",
        "1.41421356237309504880168872420969807856967187537694",
    ),
    (
        "LN2",
        "0.69314718055994530941723212145817656807550013436025",
    ),
    ("LN10", "2.30258509299404568402"),
    ("LOG2E", "1.4426950408889634074"),
    ("SQRT1_2", "0.70710678118654752440"),
];

/// `number math:constant(string, number)`: the named constant, read from its first
/// `precision` characters (the decimal point included); NaN for an unknown name or a
/// precision below 1.
fn constant(h: &mut dyn Host, args: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    let name = crate::xpath::eval::to_string(&args[0], h.env());
    Ok(Value::Num(constant_value(&name, num(h, &args, 1))))
}

/// See [`constant`].
fn constant_value(name: &str, precision: f64) -> f64 {
    if precision.is_nan() || precision < 1.0 {
        return f64::NAN;
    }
    match CONSTANTS.iter().find(|(n, _)| *n == name) {
        Some((_, digits)) => {
            // `as` saturates: infinity reads every digit.
            let len = (precision as usize).min(digits.len());
            str_to_num(&digits[..len])
        }
        None => f64::NAN,
    }
}

/// `number math:random()`: a pseudo-random number in [0, 1).
fn random(h: &mut dyn Host, _: Vec<Value>, _: &Context) -> Result<Value, XsltError> {
    Ok(Value::Num(h.random()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min_of(v: &[f64]) -> f64 {
        extreme(v, |c, b| c < b)
    }

    fn max_of(v: &[f64]) -> f64 {
        extreme(v, |c, b| c > b)
    }

    #[test]
    fn extremes_of_numbers() {
        assert_eq!(min_of(&[3.0, 1.0, 2.0, -0.0, 1.5]), -0.0);
        assert_eq!(max_of(&[3.0, 1.0, 2.0, -0.0, 1.5]), 3.0);
        assert!(min_of(&[]).is_nan());
        assert!(max_of(&[1.0, f64::NAN, 2.0]).is_nan());
        assert!(max_of(&[f64::NAN]).is_nan());
        assert_eq!(max_of(&[1.0, f64::INFINITY]), f64::INFINITY);
    }

    #[test]
    fn signed_zero_ties_keep_the_first() {
        assert!(min_of(&[0.0, -0.0]).is_sign_positive());
        assert!(min_of(&[-0.0, 0.0]).is_sign_negative());
        assert!(max_of(&[-0.0, 0.0]).is_sign_negative());
        assert!(max_of(&[0.0, -0.0]).is_sign_positive());
    }

    #[test]
    fn highest_and_lowest_nodes() {
        let n = |i| NodeRef::new(0, crate::xml::NodeId::from_index(i));
        let ties = vec![(n(1), 5.0), (n(2), 7.0), (n(3), 7.0), (n(4), 5.0)];
        assert_eq!(extremes(ties.clone(), |c, b| c > b), [n(2), n(3)]);
        assert_eq!(extremes(ties, |c, b| c < b), [n(1), n(4)]);
        // 0 and -0 are equal; a NaN anywhere, or no nodes, selects nothing.
        let zeros = vec![(n(1), 0.0), (n(2), -0.0)];
        assert_eq!(extremes(zeros, |c, b| c > b), [n(1), n(2)]);
        let nan = vec![(n(1), 2.0), (n(2), f64::NAN), (n(3), 1.0)];
        assert!(extremes(nan, |c, b| c < b).is_empty());
        assert!(extremes(vec![(n(1), f64::NAN), (n(2), 1.0)], |c, b| c > b).is_empty());
        assert!(extremes(Vec::new(), |c, b| c > b).is_empty());
    }

    #[test]
    fn power_with_nan_is_nan() {
        assert!(pow(f64::NAN, 0.0).is_nan());
        assert!(pow(1.0, f64::NAN).is_nan());
        assert_eq!(pow(0.0, 0.0), 1.0);
        assert_eq!(pow(2.0, 10.0), 1024.0);
        assert_eq!(pow(-0.0, -1.0), f64::NEG_INFINITY);
        assert_eq!(pow(-1.0, f64::INFINITY), 1.0);
        assert!(pow(-8.0, 1.0 / 3.0).is_nan());
    }

    #[test]
    fn constants_by_precision() {
        assert_eq!(constant_value("PI", 4.0), 314.0 / 100.0);
        assert_eq!(constant_value("PI", 1.0), 3.0);
        assert_eq!(constant_value("PI", 2.0), 3.0);
        assert_eq!(constant_value("PI", 1.9), 3.0);
        assert_eq!(constant_value("PI", 100.0), std::f64::consts::PI);
        assert_eq!(constant_value("PI", f64::INFINITY), std::f64::consts::PI);
        assert_eq!(constant_value("E", 10.0), 271_828_182.0 / 1e8);
        assert_eq!(constant_value("E", 17.0), std::f64::consts::E);
        assert_eq!(constant_value("SQRRT2", 100.0), std::f64::consts::SQRT_2);
        assert_eq!(constant_value("LN2", 100.0), std::f64::consts::LN_2);
        assert_eq!(constant_value("LOG2E", 100.0), std::f64::consts::LOG2_E);
        for (name, p) in [
            ("PI", 0.0),
            ("PI", 0.5),
            ("PI", -1.0),
            ("PI", f64::NAN),
            ("SQRT2", 5.0),
            ("pi", 4.0),
            ("", 4.0),
        ] {
            assert!(constant_value(name, p).is_nan(), "{name} {p}");
        }
    }
}
