"""The meaning of programs: reference circuits (stim) and statevector checks for small n."""
