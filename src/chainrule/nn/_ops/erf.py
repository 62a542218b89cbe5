"""The error function erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt, in NumPy.

GELU needs erf, and NumPy has none (SciPy does, but chainrule depends on NumPy
alone). ``erf`` below follows the classic method of Sun's fdlibm, which is also
what C libraries use, and is accurate to about one unit in the last place of a
float64 over the whole real line:

* |x| < 0.84375:        erf(x) = x + x * R(x^2), a rational function;
* 0.84375 <= |x| < 1.25: erf(x) = c + P(s)/Q(s) with s = |x| - 1, c = erf(1) rounded;
* 1.25 <= |x| < 6:       erf(x) = 1 - exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / |x|,
  with two sets of coefficients split at 1/0.35;
* |x| >= 6:             erf(x) = 1 to double precision.

Each region uses polynomials chosen so that the rounding error stays under
one ulp. erf is odd, so only |x| is worked with and the sign is put back.

>>> from chainrule.nn._ops.erf import erf
>>> import numpy as np
>>> [round(float(v), 12) for v in erf(np.array([0.0, 0.5, 1.0, 2.0, -3.0]))]
[0.0, 0.520499877813, 0.84270079295, 0.995322265019, -0.999977909503]
"""
import numpy as np

_ERX = 8.45062911510467529297e-01        # erf(1) rounded to 24 bits
_EFX = 1.28379167095512586316e-01        # 2/sqrt(pi) - 1
# erf on [0, 0.84375]: x + x * PP(z)/QQ(z), z = x^2
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
       -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
       5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06)
# erf on [0.84375, 1.25]: erx + PA(s)/QA(s), s = |x| - 1
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
       7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02,
       1.19844998467991074170e-02)
# erfc on [1.25, 1/0.35]: exp(-x^2 - 0.5625 + RA(s)/SA(s)) / x, s = 1/x^2
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
       -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
       -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_SA = (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02,
       6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02,
       6.57024977031928170135e+00, -6.04244152148580987438e-02)
# erfc on [1/0.35, 6]
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
       -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
       -4.83519191608651397019e+02)
_SB = (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
       3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
       -2.24409524465858183362e+01)


def _poly(coefficients, z):
    """c0 + c1 z + c2 z^2 + ..., evaluated by Horner's rule."""
    result = np.full_like(z, coefficients[-1])
    for c in coefficients[-2::-1]:
        result = result * z + c
    return result


def _erf_tail(a):
    """erf(a) for 1.25 <= a < 6 (a > 0), through erfc(a) = 1 - erf(a)."""
    s = 1.0 / (a * a)
    near = a < 1 / 0.35
    ratio = np.where(near, _poly(_RA, s) / _poly(_SA, s), _poly(_RB, s) / _poly(_SB, s))
    # exp(-a^2) is split as exp(-z^2) * exp((z - a)(z + a)) with z = a cut to 32 bits,
    # so that -z^2 is exact and no accuracy is lost in the large exponent
    z = (a.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)
    r = np.exp(-z * z - 0.5625) * np.exp((z - a) * (z + a) + ratio)
    return 1.0 - r / a


def erf(x):
    """erf of a float64 array (other dtypes are computed in float64 and cast back)."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    x64 = x.astype(np.float64)
    a = np.abs(x64)
    out = np.empty_like(x64)
    with np.errstate(all="ignore"):
        small = a < 0.84375
        z = a[small] ** 2
        xs = x64[small]
        out[small] = xs + xs * (_poly(_PP, z) / _poly(_QQ, z))
        middle = (a >= 0.84375) & (a < 1.25)
        s = a[middle] - 1.0
        out[middle] = np.copysign(_ERX + _poly(_PA, s) / _poly(_QA, s), x64[middle])
        tail = (a >= 1.25) & (a < 6.0)
        out[tail] = np.copysign(_erf_tail(a[tail]), x64[tail])
        far = a >= 6.0
        out[far] = np.copysign(1.0, x64[far])
        nan = np.isnan(x64)
        out[nan] = np.nan
    return out.astype(dtype, copy=False)
