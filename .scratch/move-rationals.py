import re,sys,os
R={'add','clamp','compare','difficultyFromNumber','div','equal','floor','formatRatio','gcd','isZero','lcm','mul','ONE','parseDecimal','parseDifficulty','Ratio','ratio','sub','ZERO'}
pat=re.compile(r"(import|export)\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']*)autolykos/index\.ts';")
changed=[]
for f in sys.argv[1:]:
    s=open(f).read()
    def rep(m):
        kw,typ,body,prefix=m.group(1),m.group(2) or '',m.group(3),m.group(4)
        names=[n.strip() for n in body.split(',') if n.strip()]
        def base(n):
            n=re.sub(r'^type\s+','',n); return n.split(' as ')[0].strip()
        rat=[n for n in names if base(n) in R]; oth=[n for n in names if base(n) not in R]
        if not rat: return m.group(0)
        out=[]
        if oth: out.append(f"{kw} {typ}{{ {', '.join(oth)} }} from '{prefix}autolykos/index.ts';")
        out.append(f"{kw} {typ}{{ {', '.join(rat)} }} from '{prefix}coin/index.ts';")
        return '\n'.join(out)
    t=pat.sub(rep,s)
    if t!=s: open(f,'w').write(t); changed.append(f)
print('\n'.join(changed))
