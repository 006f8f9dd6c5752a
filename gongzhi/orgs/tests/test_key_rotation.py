from cryptography.fernet import Fernet
from django.core.management import call_command

from gongzhi.core import pii
from gongzhi.orgs.models import Person
from gongzhi.testing.factories import PersonFactory


def test_rotation_reencrypts_under_the_new_key_and_rehash_keeps_lookup(db, settings):
    person = PersonFactory(phone="13800138000", id_number="11010519491231002X")
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    settings.PII_HASH_KEY = "a-new-hash-key"
    call_command("rotate_pii_keys", "--rehash")
    person = Person.objects.get(pk=person.pk)
    # only the new key is now needed to read the values
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert pii.decrypt(person.phone_enc) == "13800138000"
    assert pii.decrypt(person.id_enc) == "11010519491231002X"
    assert person.phone_hash == pii.lookup_hash("13800138000")
