/** One small stylesheet, inlined with a CSP nonce: readable, high contrast, no external fetches. */
export const pageStyles = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.card{background:#fff;width:100%;max-width:400px;padding:2rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
.tenant{margin:0;color:#4b5563;font-size:.9rem;text-align:center}
h1{margin:.25rem 0 1rem;font-size:1.5rem;text-align:center}
.client{margin:0 0 1rem;text-align:center;color:#374151}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=password]{width:100%;padding:.6rem;border:1px solid #6b7280;border-radius:4px;font-size:1rem}
input:focus,button:focus,a:focus{outline:3px solid #2563eb;outline-offset:2px}
button{width:100%;margin-top:1.25rem;padding:.7rem;border:0;border-radius:4px;background:#1d4ed8;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#1d4ed8;border:1px solid #1d4ed8}
.error{background:#fef2f2;border:1px solid #b91c1c;color:#7f1d1d;padding:.75rem;border-radius:4px;margin-bottom:1rem}
.notice{background:#eff6ff;border:1px solid #1d4ed8;padding:.75rem;border-radius:4px;margin-bottom:1rem}
.links{margin-top:1rem;text-align:center;font-size:.95rem}
ul.scopes{padding-left:1.25rem}
`;
